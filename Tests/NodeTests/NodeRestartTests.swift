import Broadcaster
import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
import KafkaBus
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Payments
import Projections
import Settlement
import Testing
import TestSupport
import Wire
import WireRPC
import SwiftProtobuf

/// The orchestrator process killed with SIGKILL mid-stream, 20 times, and restarted on the same data directory: its
/// state is the log's, so the broadcaster goes on paying from the credit it had, every ticket accepted before a crash is
/// refused when replayed, every winner is redeemed exactly once on the chain, and the live state equals the state
/// rebuilt from the log.
@Suite("node restarts", .serialized)
struct NodeRestartTests {
    /// Ports for the gRPC and HTTP listeners that stay the same across restarts.
    static func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        return try (0..<count).map { _ in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            guard bound else { throw CocoaError(.fileWriteUnknown) }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }

    /// Every event of the node's log (read while no node runs).
    static func records(_ data: String) throws -> [EventRecord] {
        var options = EventLog.Options()
        options.readOnly = true
        let log = try EventLog(directory: data + "/log", options: options)
        defer { log.close() }
        var records: [EventRecord] = []
        try log.scan { records.append(try $0.record()); return true }
        return records
    }

    /// A broadcaster's one segment: params (cached until refused), a payment from the sender's credit, the signed
    /// segment; the status and the result.
    struct Broadcaster: Sendable {
        let key: PrivateKey
        let client: OrchestratorClient
        let sender: TicketSender
        let address: String
        let body: [UInt8]
        var info: Net_OrchestratorInfo?
        var session = 0
        /// The renditions asked for (name, width, height).
        var ladder: [(String, Int32, Int32)] = [("P144p30fps16x9", 256, 144)]

        init(key: PrivateKey, address: String, body: [UInt8]) {
            self.key = key
            client = OrchestratorClient(key: key, timeout: .seconds(30))  // generous: the suite runs many tests at once
            sender = TicketSender(key: key)
            self.address = address
            self.body = body
        }

        /// Forgets the offer and the credit the sender believed it had (after a request whose outcome is unknown).
        mutating func renegotiate() {
            info = nil
            session += 1
        }

        /// POSTs through `session` when given (a client with room for many connections to one host), else the product's client.
        mutating func send(seq: Int64, stream: String = "restart-stream",
                           through session: URLSession? = nil) async throws -> (status: Int, tickets: Int, payment: Net_Payment, body: [UInt8]) {
            if info == nil { info = try await client.getOrchestrator(address) }
            let info = try #require(info)
            let offered = try Payment(offer: info, sender: key.address)
            let paid = try sender.pay(session: "s\(session)", params: offered.ticketParams, price: offered.expectedPrice,
                                      pixels: UInt64(ladder.reduce(0) { $0 + Int($1.1) * Int($1.2) }) * 30 * 2, deposit: NodeRestartTests.ether, reserve: NodeRestartTests.ether,
                                      currentBlock: 0, segmentSeq: UInt64(seq))
            let wire = paid.payment.wire
            let data = try segment(seq: seq, info: info, stream: stream)
            if let session {
                var request = URLRequest(url: try #require(URL(string: info.transcoder + "/segment")))
                request.httpMethod = "POST"
                request.setValue(try data.serializedData().base64EncodedString(), forHTTPHeaderField: "Livepeer-Segment")
                request.setValue(try wire.serializedData().base64EncodedString(), forHTTPHeaderField: "Livepeer-Payment")
                request.setValue("video/MP2T", forHTTPHeaderField: "Content-Type")
                let (bytes, response) = try await session.upload(for: request, from: Data(body))
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, paid.payment.senderParams.count, wire, Array(bytes))
            }
            let reply = try await client.postSegment(transcoderURL: info.transcoder, segment: data, payment: wire, body: body,
                                                     timeout: .seconds(30))
            return (reply.status, paid.payment.senderParams.count, wire, reply.body)
        }

        func segment(seq: Int64, info: Net_OrchestratorInfo, stream: String = "restart-stream") throws -> Net_SegData {
            var data = Net_SegData()
            data.manifestID = Data(stream.utf8)
            data.seq = seq
            data.hash = Data(Keccak256.hash(body).bytes)
            data.duration = 2_000
            data.fullProfiles = ladder.map { name, width, height in
                var profile = Net_VideoProfile()
                profile.name = name
                profile.width = width
                profile.height = height
                profile.bitrate = 400_000
                profile.fps = 30
                return profile
            }
            data.authToken = info.authToken
            try SegmentSigning.sign(&data, key: key)
            return data
        }
    }

    static let ether = UInt256(1_000_000_000_000_000_000)

    /// The embedded chain at genesis: the orchestrator registered and staked (in the active set), the broadcaster funded.
    static func genesis(_ directory: String, orchestrator: Address, broadcaster: Address) throws {
        _ = try LocalChain(directory: directory, genesis: {
            var genesis = ChainState(config: ChainConfig(blocksPerRound: 50, activeSetSize: 100))
            for account in [orchestrator, broadcaster] {
                _ = genesis.execute(.mint(to: account, amount: (try? ether * UInt256(10)) ?? ether), from: account, gasPrice: .zero)
            }
            _ = genesis.execute(.registerTranscoder(rewardCut: 100_000, feeShare: 500_000), from: orchestrator, gasPrice: .zero)
            _ = genesis.execute(.stake(delegator: orchestrator, transcoder: orchestrator, amount: UInt256(1_000)),
                                from: orchestrator, gasPrice: .zero)
            _ = genesis.execute(.fundDeposit(ether), from: broadcaster, gasPrice: .zero)
            _ = genesis.execute(.fundReserve(ether), from: broadcaster, gasPrice: .zero)
            genesis.advance(blocks: 50)
            return genesis
        }())
    }

    /// A test's directory: the node's data (with its key where the node looks for one without a keystore, 0600 as the
    /// node makes it) and a chain at genesis with both parties funded.
    struct Setup {
        let directory: String
        let data: String
        let chainDirectory: String
        let orchestrator: PrivateKey
        let broadcaster: PrivateKey

        init(_ name: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-\(name)-\(UUID().uuidString)").path
            data = directory + "/node"
            chainDirectory = directory + "/chain"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            orchestrator = try PrivateKey.generate()
            broadcaster = try PrivateKey.generate()
            FileManager.default.createFile(atPath: data + "/node-key", contents: Data(orchestrator.exportSecret()),
                                           attributes: [.posixPermissions: 0o600])
            try NodeRestartTests.genesis(chainDirectory, orchestrator: orchestrator.address, broadcaster: broadcaster.address)
        }

        func remove() { if ProcessInfo.processInfo.environment["STREAMFLOW_KEEP_TEST_DATA"] == nil { try? FileManager.default.removeItem(atPath: directory) } }
    }

    /// A 2 s MPEG-TS segment (256×144 unless told).
    static func clip(_ path: String, size: String = "256x144") throws -> [UInt8] {
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=\(size):rate=30", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast",
                               "-g", "60", "-pix_fmt", "yuv420p", "-f", "mpegts", path])
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("SIGKILL mid-stream 20 times: credit survives, replays are refused, every winner is redeemed once, live == log")
    func killLoop() async throws {
        let setup = try Setup("restart")
        defer { setup.remove() }
        let ports = try Self.freePorts(2)
        try await Self.killLoop(setup, ports: ports, rounds: 20, command: [
            "orchestrator", "--port", "\(ports[0])", "--http-port", "\(ports[1])", "--out", setup.directory + "/out"])
    }

    @Test("the distributed node and its Kafka fleet, SIGKILLed mid-stream 20 times: what the topics held reaches the log before the node serves")
    func distributedKillLoop() async throws {
        let setup = try Setup("restart-kafka")
        defer { setup.remove() }
        let broker = try await KafkaTestBroker()
        defer { broker.stop() }
        let topics = BusTopics(prefix: "restart.", partitions: 3)
        try await OffPool.run { try topics.ensure(settings: KafkaSettings(brokers: broker.address, clientID: "test")) }
        let worker = try ChildProcess.streamflow(
            ["transcoder", "--kafka", broker.address, "--worker-id", "w1", "--topic-prefix", "restart.", "--work", setup.directory + "/w1"],
            outputPath: setup.directory + "/w1.out")
        defer { worker.stop() }
        #expect(await worker.waitFor("in group", seconds: 60), "\(worker.output)")
        let ports = try Self.freePorts(2)
        try await Self.killLoop(setup, ports: ports, rounds: 20, command: [
            "node", "--kafka", broker.address, "--topic-prefix", "restart.", "--partitions", "3",
            "--port", "\(ports[0])", "--http-port", "\(ports[1])"])
    }

    /// The kill loop on `command` (the node's own options; the test adds the data, chain, price and ticket options).
    static func killLoop(_ setup: Setup, ports: [Int], rounds: Int, command: [String]) async throws {
        let (directory, data, chainDirectory, orchestrator, broadcasterKey) =
            (setup.directory, setup.data, setup.chainDirectory, setup.orchestrator, setup.broadcaster)
        let body = try Self.clip(directory + "/clip.ts")
        // Each ticket wins with probability 1/2 (face value 2 × EV); a segment costs about 0.45 EV (2,211,840 pixels at
        // 400,000 wei), so the sender stages a ticket every other segment and pays the rest from its credit; gas is
        // cheap, so the redeemer sends every winner at once.
        let arguments = command + ["--no-tls", "--data", data, "--chain", chainDirectory, "--price-per-pixel", "400000",
                                   "--profiles", "P144p30fps16x9", "--gas-price-wei", "1000", "--ticket-ev", "2000000000000",
                                   "--ticket-multiplier", "2", "--redeem-min-tickets", "1", "--block-seconds", "0", "--capacity", "4"]
        func start(_ round: Int) async throws -> ChildProcess {
            let node = try ChildProcess.streamflow(arguments, outputPath: "\(directory)/node-\(round).out")
            #expect(await node.waitFor("serving at", seconds: 60), "round \(round): \(node.output)")
            return node
        }
        var broadcaster = Broadcaster(key: broadcasterKey, address: "http://127.0.0.1:\(ports[0])", body: body)
        var seq: Int64 = 0
        var delivered = 0, zeroTicketAfterRestart = 0, replaysRefused = 0
        var accepted: [Net_Payment] = []
        var node = try await start(0)
        for round in 1...rounds {
            // One to three segments, then the kill: between two segments, or (odd rounds) while one is in flight.
            for _ in 0...(round % 3) {
                let reply = try await broadcaster.send(seq: seq)
                seq += 1
                #expect(reply.status == 200, "round \(round): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
                if reply.status == 200 {
                    delivered += 1
                    if reply.tickets > 0 { accepted.append(reply.payment) }
                }
            }
            if round % 2 == 1 {
                let (copy, inFlightSeq) = (broadcaster, seq)
                let request = Task {
                    var inFlight = copy
                    _ = try? await inFlight.send(seq: inFlightSeq)
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
                node.kill(SIGKILL)
                _ = await request.value
                seq += 1
                broadcaster.renegotiate()  // its outcome is unknown: the sender's idea of its credit is stale
            } else {
                node.kill(SIGKILL)
            }
            node.process.waitUntilExit()
            #expect(node.process.terminationReason == .uncaughtSignal, "round \(round)")
            // What the log holds now is what the restarted node must continue from.
            let before = try Self.records(data)
            let ledger = try ProjectionReplay.state(PaymentsLedgerProjection(), log: { () throws -> EventLog in
                var options = EventLog.Options()
                options.readOnly = true
                return try EventLog(directory: data + "/log", options: options)
            }())
            let credit = ledger.account(recipient: orchestrator.address, sender: broadcasterKey.address).available
            node = try await start(round)
            // The broadcaster goes on with the credit it had: after a kill between segments its next payment carries no
            // ticket when its credit covers the segment, and is accepted.
            let reply = try await broadcaster.send(seq: seq)
            seq += 1
            #expect(reply.status == 200, "round \(round) after restart (credit \(credit)): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
            if reply.status == 200 {
                delivered += 1
                if reply.tickets == 0 { zeroTicketAfterRestart += 1 } else { accepted.append(reply.payment) }
            }
            // A payment accepted before the crash, replayed: every ticket in it is refused.
            if let replay = accepted.randomElement() {
                let info = try await broadcaster.client.getOrchestrator(broadcaster.address)
                let refused = try await broadcaster.client.postSegment(
                    transcoderURL: info.transcoder, segment: broadcaster.segment(seq: 1_000_000 + Int64(round), info: info), payment: replay,
                    body: body, timeout: .seconds(30))
                let text = String(decoding: refused.body.prefix(300), as: UTF8.self)
                #expect(refused.status == 400 && text.contains("nonce-replayed"), "round \(round): replay answered \(refused.status) \(text)")
                if refused.status == 400 { replaysRefused += 1 }
            }
            _ = before
        }
        #expect(delivered >= rounds * 5 / 2 && replaysRefused >= rounds * 3 / 4, "\(delivered) delivered, \(replaysRefused) replays refused")
        #expect(zeroTicketAfterRestart >= 1, "the broadcaster paid from its credit after at least one restart")
        // Let the redeemer send what is pending, then stop the node gracefully: it checks its live state against the log.
        try await Task.sleep(for: .seconds(3))
        #expect(node.stop() == 0)
        #expect(node.output.contains("live state equals the state rebuilt from the log"), "\(node.output.suffix(2_000))")
        #expect(!node.output.contains("level=error"), "\(node.output.suffix(2_000))")
        let records = try Self.records(data)
        var won: Set<String> = [], redeemed: [String: Int] = [:]
        for record in records {
            let payload = record.envelope.payload
            switch record.envelope.type {
            case "ticket.won": won.insert(payload["ticketHash"]?.stringValue ?? "")
            case "ticket.redeemed": redeemed[payload["ticketHash"]?.stringValue ?? "", default: 0] += 1
            default: break
            }
        }
        #expect(won.count >= 5, "\(won.count) winners")
        print("node restarts (\(command[0])): \(delivered) delivered, \(zeroTicketAfterRestart) paid from credit right after a restart, "
              + "\(replaysRefused) replays refused, \(won.count) winners, \(redeemed.count) redeemed, \(records.count) events")
        #expect(redeemed.values.allSatisfy { $0 == 1 }, "a ticket recorded redeemed twice")
        #expect(Set(redeemed.keys) == won, "every winner redeemed: \(won.subtracting(redeemed.keys).count) left")
        let chain = try LocalChain.existing(directory: chainDirectory)
        #expect(Set(chain.state.usedTickets.map(\.hex)) == Set(redeemed.keys), "the chain paid exactly the tickets the log redeemed")
        #expect(chain.state.isConserved)
    }

    @Test("SIGTERM with 50 segments in flight: every one is answered with its renditions, and the node exits 0 within 10 s")
    func drainOnTerm() async throws {
        let setup = try Setup("term")
        defer { setup.remove() }
        let (directory, data, chainDirectory, orchestrator, broadcasterKey) =
            (setup.directory, setup.data, setup.chainDirectory, setup.orchestrator, setup.broadcaster)
        // 360p in, three renditions out: each segment is enough work that the 50 overlap on the node.
        let body = try Self.clip(directory + "/clip.ts", size: "640x360")
        let ports = try Self.freePorts(2)
        let node = try ChildProcess.streamflow(
            ["orchestrator", "--port", "\(ports[0])", "--http-port", "\(ports[1])", "--no-tls", "--out", directory + "/out", "--data", data,
             "--chain", chainDirectory, "--price-per-pixel", "400000", "--profiles", "P144p30fps16x9", "--ticket-ev", "2000000000000",
             "--ticket-multiplier", "2", "--block-seconds", "0", "--capacity", "64"],
            outputPath: directory + "/node.out")
        defer { node.stop(seconds: 0) }
        #expect(await node.waitFor("serving at", seconds: 60), "\(node.output)")
        let address = "http://127.0.0.1:\(ports[0])"
        // 50 streams at once, each its own broadcaster session with its own offer (ticket params: its own nonce space),
        // fetched first; then the 50 POSTs together.
        var offers: [Net_OrchestratorInfo] = []
        for _ in 0..<50 { offers.append(try await OrchestratorClient(key: broadcasterKey).getOrchestrator(address)) }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64  // the product's client keeps 8 per host; this test needs 50 at once
        configuration.timeoutIntervalForRequest = 60
        let session = URLSession(configuration: configuration)
        let requests = (0..<50).map { index in
            Task { [offers] () -> Int in
                var broadcaster = Broadcaster(key: broadcasterKey, address: address, body: body)
                broadcaster.session = index
                broadcaster.info = offers[index]
                broadcaster.ladder = [("P144p30fps16x9", 256, 144), ("P240p30fps16x9", 426, 240), ("P360p30fps16x9", 640, 360)]
                let reply = try await broadcaster.send(seq: 0, stream: "term-\(index)", through: session)
                guard reply.status == 200 else {
                    Issue.record("stream \(index): \(reply.status) \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
                    return 0
                }
                guard let result = try? Net_TranscodeResult(serializedBytes: reply.body),
                      case .data(let transcoded)? = result.result else { return 0 }
                return transcoded.segments.count == 3 ? 1 : 0
            }
        }
        let metrics = "http://127.0.0.1:\(ports[1])/metrics"
        func counter(_ page: String, _ name: String) -> Int {
            page.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        }
        var received = 0, transcoded = 0
        for _ in 0..<3_000 where received < 50 {
            let page = String(decoding: (try? await EdgeHTTP.get(metrics, timeout: .seconds(5)))?.body ?? [], as: UTF8.self)
            received = counter(page, "streamflow_orchestrator_segments_received_total")
            transcoded = counter(page, "streamflow_orchestrator_segments_transcoded_total")
            if received < 50 { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(received == 50)
        let signalled = ContinuousClock.now
        node.kill(SIGTERM)
        let inFlight = received - transcoded
        #expect(inFlight >= 10, "\(inFlight) segments in flight at SIGTERM")
        var answered = 0
        for request in requests { answered += (try? await request.value) == 1 ? 1 : 0 }
        node.process.waitUntilExit()
        let took = ContinuousClock.now - signalled
        #expect(answered == 50, "\(answered) of 50 answered with renditions")
        #expect(node.process.terminationReason == .exit && node.process.terminationStatus == 0, "\(node.output.suffix(2_000))")
        #expect(took < .seconds(10), "shutdown took \(took)")
        #expect(node.output.contains("live state equals the state rebuilt from the log"), "\(node.output.suffix(2_000))")
        let debited = try Self.records(data).filter { $0.envelope.type == "fee.debited" }.count
        #expect(debited == 50, "every answered segment's fee is in the log")
        print("SIGTERM drain: \(inFlight) of 50 in flight at the signal, \(answered) answered, exit after \(took)")
    }
}
