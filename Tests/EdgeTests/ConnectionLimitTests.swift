import Foundation
import NIOCore
import NIOEmbedded
import Broadcaster
import EthCrypto
import Orchestrator
import Testing
import Telemetry
import Wire
import WireRPC
@testable import Edge

/// The connection gate's decisions, on embedded channels.
@Suite("connection gate")
struct ConnectionGateTests {
    @Test("at the address cap the address's oldest connection without a request is evicted; with none, refused; the listener cap likewise")
    func capsAndEviction() throws {
        let limits = ConnectionLimits(maxConnections: 4, maxPerAddress: 2, requestTimeout: .seconds(10), idleTimeout: .seconds(60))
        let gate = ConnectionGate(listener: "test", limits: limits, metrics: MetricsRegistry())
        let a1 = EmbeddedChannel(), a2 = EmbeddedChannel(), a3 = EmbeddedChannel(), a4 = EmbeddedChannel()
        #expect(gate.admit(a1, address: "a") == .admitted)
        #expect(gate.admit(a2, address: "a") == .admitted)
        #expect(gate.admit(a3, address: "a") == .admittedEvicting(ObjectIdentifier(a1)), "the oldest waiting one from the same address")
        gate.requestStarted(a2)
        gate.requestStarted(a3)
        #expect(gate.admit(a4, address: "a") == .refused(.addressFull(limit: 2)), "both serving requests")
        let b1 = EmbeddedChannel(), b2 = EmbeddedChannel(), c1 = EmbeddedChannel()
        #expect(gate.admit(b1, address: "b") == .admitted)
        #expect(gate.admit(b2, address: "b") == .admitted)
        #expect(gate.openConnections == 4)
        #expect(gate.admit(c1, address: "c") == .admittedEvicting(ObjectIdentifier(b1)), "at the listener cap, the oldest waiting one")
        gate.requestStarted(b2)
        gate.requestStarted(c1)
        #expect(gate.admit(EmbeddedChannel(), address: "d") == .refused(.listenerFull(limit: 4)))
        gate.closed(a2)
        #expect(gate.openConnections == 3)
        #expect(gate.admit(EmbeddedChannel(), address: "d") == .admitted)
        #expect(ConnectionLimits.standard.fitted(toDescriptors: 1_024).maxConnections == 384, "two listeners fit under ulimit -n 1024")
        #expect(ConnectionLimits.standard.fitted(toDescriptors: 1_024).maxPerAddress == 256)
    }
}

/// Connection limits on real listeners over loopback: silent connections closed at the request timeout (plaintext and
/// during a TLS handshake), idle ones after a request at the idle timeout, a flood of idle sockets from one address not
/// keeping other clients (or that address's own legitimate request) out, and the same on the gRPC port.
@Suite("connection limits", .serialized)
struct ConnectionLimitTests {
    static let quick = ConnectionLimits(maxConnections: 1_024, maxPerAddress: 256, requestTimeout: .seconds(1), idleTimeout: .seconds(1))

    static func orchestrator() throws -> (TestOrchestrator, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-conns-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (try TestOrchestrator(directory: directory, tls: true), directory)
    }

    static func port(_ url: String) throws -> Int { try #require(URL(string: url)?.port) }

    @Test("silent TCP connections, a TLS handshake trickled a byte at a time, and a connection idle after its request are closed at their timeouts")
    func timeouts() async throws {
        let (orchestrator, directory) = try Self.orchestrator()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plain = EdgeServer(node: orchestrator.node, context: { TestOrchestrator.chain }, limits: ServerLimits(connections: Self.quick))
        let secure = EdgeServer(node: orchestrator.node, context: { TestOrchestrator.chain }, tls: orchestrator.tls,
                                limits: ServerLimits(connections: Self.quick))
        let plainPort = try Self.port(try await plain.start())
        let securePort = try Self.port(try await secure.start())
        defer {
            plain.stop()
            secure.stop()
        }
        var silent: [LoopbackSocket] = []
        for _ in 0..<50 { silent.append(try await LoopbackSocket.open(port: plainPort)) }
        let trickle = try await LoopbackSocket.open(port: securePort)
        let trickling = Task {
            // A TLS ClientHello's first bytes, one every 100 ms: never a complete handshake.
            for byte: UInt8 in [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03] + Array(repeating: 0, count: 100) {
                guard (try? await trickle.send(ByteBuffer(bytes: [byte]))) != nil else { return }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { trickling.cancel() }
        let served = try await LoopbackSocket.open(port: plainPort)
        try await served.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        // Generous bounds for a loaded CI machine: the timeouts are 1 s.
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { silent.allSatisfy { !$0.channel.isActive } },
                "silent connections closed at the request timeout")
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { !trickle.channel.isActive }, "the trickled handshake closed")
        #expect(served.status == 200, "\(served.text.prefix(200))")
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { !served.channel.isActive }, "idle after its request: closed")
        #expect(plain.node.telemetry.metrics.render().contains("reason=\"request-timeout\""))
    }

    @Test("a request in progress longer than the request timeout is not cut off by it")
    func slowRequestKept() async throws {
        let directory = try RequestBodyLimitTests.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let orchestrator = try TestOrchestrator(directory: directory, tls: false, offchain: true)
        let limits = ConnectionLimits(maxConnections: 64, maxPerAddress: 16, requestTimeout: .seconds(1), idleTimeout: .seconds(30))
        let edge = EdgeServer(node: orchestrator.node, context: { TestOrchestrator.chain }, limits: ServerLimits(connections: limits))
        let port = try Self.port(try await edge.start())
        defer { edge.stop() }
        let socket = try await LoopbackSocket.open(port: port)
        defer { socket.close() }
        try await socket.send("POST /segment HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n" + (try RequestBodyLimitTests.segmentHeaders(seq: 1)) + "\r\n")
        try await Task.sleep(for: .seconds(3))
        #expect(socket.channel.isActive, "the body is still awaited 3 s into the request")
        #expect(!socket.hasResponse, "\(socket.text.prefix(300))")
    }

    @Test("1,100 idle connections from 127.0.0.1: a request from 127.0.0.2, and one from 127.0.0.1 itself, are still served (within 2 s asked; 10 s asserted)")
    func floodOfIdleConnections() async throws {
        let (orchestrator, directory) = try Self.orchestrator()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let limits = ServerLimits(connections: .standard)
        let edge = EdgeServer(node: orchestrator.node, context: { TestOrchestrator.chain }, limits: limits)
        let port = try Self.port(try await edge.start())
        defer { edge.stop() }
        var idle: [LoopbackSocket] = []
        defer { for socket in idle { socket.close() } }
        for _ in 0..<1_100 { idle.append(try await LoopbackSocket.open(port: port)) }
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { edge.gate.openConnections == ConnectionLimits.standard.maxPerAddress })
        for source in ["127.0.0.2", "127.0.0.1"] {
            let started = ContinuousClock.now
            let client = try await LoopbackSocket.open(port: port, from: source)
            defer { client.close() }
            try await client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await LoopbackSocket.eventually(within: .seconds(10)) { client.hasResponse })
            #expect(client.status == 200, "from \(source): \(client.text.prefix(200))")
            let took = ContinuousClock.now - started
            #expect(took < .seconds(10), "from \(source): served in \(took)")
        }
        #expect(edge.gate.openConnections <= ConnectionLimits.standard.maxPerAddress + 1)
    }

    @Test("the gRPC port: idle connections are closed at the request timeout, the per-address cap evicts idle ones, and GetOrchestrator is served beside them")
    func grpcPort() async throws {
        let (orchestrator, directory) = try Self.orchestrator()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let limits = ConnectionLimits(maxConnections: 64, maxPerAddress: 16, requestTimeout: .seconds(1), idleTimeout: .seconds(1))
        let rpc = RPCServer(source: OrchestratorInfoSource(node: orchestrator.node, context: { TestOrchestrator.chain }, now: EdgeServer.wallClock),
                            hub: nil, tls: nil, limits: limits)
        let address = try await rpc.start()
        defer { rpc.stop() }
        var idle: [LoopbackSocket] = []
        for _ in 0..<200 { idle.append(try await LoopbackSocket.open(port: address.port)) }
        #expect(await LoopbackSocket.eventually(within: .seconds(5)) { rpc.gate.openConnections <= 16 }, "the address cap holds")
        let info = try await OrchestratorClient(key: try PrivateKey.generate()).getOrchestrator("\(address)")
        #expect(info.address == Data(orchestrator.key.address.bytes), "GetOrchestrator served beside 200 idle connections")
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { idle.allSatisfy { !$0.channel.isActive } },
                "every idle connection closed")
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { rpc.gate.openConnections == 0 }, "and after its RPC, the client's too")
    }
}
