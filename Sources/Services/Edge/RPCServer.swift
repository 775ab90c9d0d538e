import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import Synchronization
import Telemetry
public import Orchestrator
public import WireRPC

/// An orchestrator's gRPC endpoint: the Orchestrator service, and the Transcoder service when remote transcoders
/// are accepted, served over HTTP/2 (TLS unless `tls` is nil) on its own port beside the HTTP edge. Its connections are
/// capped and given the request timeout by a `ConnectionGate`, and closed after the idle timeout without an RPC.
public final class RPCServer: Sendable {
    private let services: [any RegistrableRPCService]
    private let hub: RemoteTranscoderHub?
    private let host: String
    private let port: Int
    private let tls: TLSIdentity?
    /// This listener's connections.
    let gate: ConnectionGate
    /// What `start` made: the server and the task serving it (nil before).
    private let running = Mutex<(server: GRPCServer<HTTP2ServerTransport.Posix>, task: Task<Void, any Error>)?>(nil)

    /// The services of an orchestrator: GetOrchestrator from `source`, and registrations into `hub` when given.
    public init(source: OrchestratorInfoSource, hub: RemoteTranscoderHub?, host: String = "127.0.0.1", port: Int = 0,
                tls: TLSIdentity?, limits: ConnectionLimits = .standard) {
        gate = ConnectionGate(listener: "grpc", limits: limits.fitted(), metrics: source.node.telemetry.metrics)
        var services: [any RegistrableRPCService] = [OrchestratorService(source: source)]
        if let hub { services.append(TranscoderService(hub: hub)) }
        self.services = services
        self.hub = hub
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Starts serving; returns the address once the socket is bound.
    public func start() async throws -> NodeAddress {
        let security: HTTP2ServerTransport.Posix.TransportSecurity = tls.map {
            .tls(certificateChain: [.bytes(Array($0.certificatePEM.utf8), format: .pem)],
                 privateKey: .bytes(Array($0.privateKeyPEM.utf8), format: .pem))
        } ?? .plaintext
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: host, port: port), transportSecurity: security,
                                                   config: Self.config(gate: gate))
        let server = GRPCServer(transport: transport, services: services)
        running.withLock { $0 = (server, Task { try await server.serve() }) }
        guard let bound = try await transport.listeningAddress.ipv4?.port else { throw RPCServerError.didNotStart }
        return NodeAddress(host: host, port: bound, tls: tls != nil)
    }

    /// The transport's defaults, with connections closed after the idle timeout without an RPC, the gate's handler
    /// first on every connection, and each stream reported to it as a request.
    static func config(gate: ConnectionGate) -> HTTP2ServerTransport.Posix.Config {
        .defaults { config in
            config.connection.maxIdleTime = gate.limits.idleTimeout
            config.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionGateHandler(gate: gate), position: .first)
                }
            }
            config.channelDebuggingCallbacks.onAcceptHTTP2Stream = { stream in
                ConnectionGateHandler.reportRequest(on: stream)
                return stream.eventLoop.makeSucceededVoidFuture()
            }
        }
    }

    /// Stops accepting RPCs; RPCs in flight finish. Remote transcoders' streams are ended (reported lost).
    public func stop() {
        running.withLock { $0 }?.server.beginGracefulShutdown()
        for transcoder in hub?.transcoders ?? [] { hub?.disconnect(transcoder.id, reason: "the orchestrator is stopping") }
    }

    /// Serves until stopped.
    public func wait() async throws { try await running.withLock { $0 }?.task.value }
}

/// Why the gRPC endpoint could not serve.
public enum RPCServerError: Error, Equatable, Sendable, CustomStringConvertible {
    case didNotStart
    public var description: String { "the gRPC server did not bind an IPv4 address" }
}
