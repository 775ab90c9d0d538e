import ArgumentParser
import Edge
import EthCrypto
import EventLog
import EventModel
import Fleet
import Foundation
import KafkaBus
import Logging
import Orchestrator
import Payments
import Projections
import ServiceLifecycle
import Transcoding

/// `streamflow node --kafka BROKERS`: an orchestrator node in distributed mode. Its edge (gRPC + HTTPS) takes paid
/// segments; every event it writes goes to the Kafka topics; its log sink consumes the topics into the LMDB log at
/// --data (committing offsets only after the log has the events) and keeps the projections current; segments are
/// transcoded by `streamflow transcoder --kafka` workers through the segments and transcode-results topics.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run an orchestrator node over Kafka: edge, log sink into LMDB, projections; workers transcode.")

    @OptionGroup var kafka: KafkaOptions
    @Option(help: "The node's directory: the LMDB log (DIR/log) and renditions (DIR/out).") var data: String
    @Option var host = "127.0.0.1"
    @Option(help: "The port broadcasters name: gRPC and HTTP together over TLS (0 picks a free one; printed).") var port = 8935
    @Option(help: "With --no-tls only: the HTTP edge port (default: --port + 1, or a free one when --port is 0).") var httpPort: Int?
    @Option(help: "Over TLS: a second, gRPC-only port beside --port.") var grpcPort: Int?
    @Option(help: "Price in wei per pixel.") var pricePerPixel: UInt64 = 1_000
    @Option(help: "Profiles used when a segment names none.") var profiles = "P240p30fps16x9,P144p30fps16x9"
    @Option(help: "Segments in flight to the worker fleet at once.") var capacity = 16
    @Option(help: "Seconds a segment may take on the fleet (a dead worker's segments move after ~6 s).") var fleetTimeout: Double = 60
    @Option(help: "Consumer group of the log sink (one per node log).") var logGroup = "streamflow-log"
    @Flag(help: "Serve gRPC and HTTP in plaintext (local tests only).") var noTls = false
    @Option(help: "The orchestrator's key (keystore v3; the address registered on --chain). Default: a fresh key.")
    var keystore: String?
    @OptionGroup var password: PasswordOptions
    @Option(help: "The settlement chain's directory (the embedded chain): tickets name its rounds, the redeemer cashes winners on it.")
    var chain: String?
    @Option(help: "Gas price in wei for ticket parameters and redemptions.") var gasPriceWei: UInt64 = 1_000_000_000
    @Option(help: "Expected value of one ticket in wei (default: go-livepeer's).") var ticketEv: UInt64?
    @Option(help: "Face value as a multiple of the larger of EV and the redemption cost (go-livepeer's txCostMultiplier).")
    var ticketMultiplier: UInt64 = 100
    @Option(help: "Winning tickets gathered before a redemption while waiting costs nothing.") var redeemMinTickets = 10
    @Option(help: "Ignored (kept for old scripts): the redeemer wakes on new winners, blocks and gas-price changes.")
    var redeemEvery: Double = 10
    @Option(help: "With --chain: advance the embedded chain a block every this many seconds (0: never).")
    var blockSeconds: Double = 2
    @Option(help: "Sign a log checkpoint (sequence, head hash) after this many events.") var checkpointEvents: UInt64 = 1_000
    @Option(help: "…or this many seconds after the last one when events came since (and always at shutdown).")
    var checkpointSeconds: Double = 60
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var serverLimits: ServerLimitOptions
    @Option(help: "A JSON file of these options (keys are the long names, e.g. \"topic-prefix\"); options given here win.")
    var config: String?

    func run() async throws {
        LibavLog.errorsOnly()
        try WritableDirectory.check(data, option: "--data")
        let settings = try kafka.connect(clientID: "streamflow-node")
        let topics = kafka.topics
        let key = try keystore.map { try password.key(inKeystore: $0) } ?? PrivateKey.generate()
        let address = key.address.checksummed
        let log = try EventLog(directory: data + "/log")
        defer { log.close() }
        let producer = try KafkaProducer(settings: settings)
        let publisher = EventPublisher(producer: producer, topics: topics)
        let events = KafkaEventSink(publisher: publisher)
        let clock = SystemClock()
        let sink = try KafkaLogSink(log: log, settings: settings, topics: topics, group: logGroup, producer: producer, clock: clock)
        let fleet = try FleetTranscoder(capacity: capacity, orchestrator: address, settings: settings, publisher: publisher,
                                        group: "streamflow-results-\(address.lowercased())", placement: kafka.placement,
                                        clock: clock, timeout: .milliseconds(Int64(fleetTimeout * 1_000)))
        let timeout = Duration.milliseconds(Int64(fleetTimeout * 1_000))
        // The fleet is the pool's one transcoder: a failed or timed-out segment is not retried here (the broadcaster
        // tries another orchestrator); inside the fleet, a dead worker's segment is redelivered by Kafka.
        let pool = TranscoderPool(orchestrator: address, sink: events, clock: clock, timeout: { _ in timeout })
        pool.add(fleet)
        let projections = try ProjectionHost(log: log, projections: BuiltInProjections.node)
        let settlement = try chain.map { directory in
            try NodeSettlement(chainDirectory: directory, host: projections, sink: events, orchestrator: key.address,
                               gasPrice: UInt256(gasPriceWei), minBatch: redeemMinTickets, blockSeconds: blockSeconds)
        }
        let context: @Sendable () -> ValidationContext = { settlement?.context ?? OrchestratorCommand.localChain }
        var policy = TicketPolicy(txCostMultiplier: ticketMultiplier)
        if let ticketEv { policy.expectedValue = UInt256(ticketEv) }
        let recipient = TicketRecipient(validator: TicketValidator(recipient: key.address, secret: try RecipientSecret.generate(),
                                                                   policy: policy))
        let node = try OrchestratorNode(key: key, recipient: recipient, authSecret: try SecureRandom.bytes(32),
                                        price: try PriceInfo(pricePerUnit: UInt256(pricePerPixel), pixelsPerUnit: .one),
                                        capacity: capacity, outputDirectory: data + "/out",
                                        profiles: try VideoProfile.parseList(profiles), publicURL: "", pool: pool,
                                        events: events, clock: clock)
        let tls = noTls ? nil : try TLSIdentity.selfSigned(hosts: Array(Set([host, "localhost", "127.0.0.1"])).sorted())
        let ports = try EdgePorts(tls: tls != nil, port: port, httpPort: httpPort, grpcPort: grpcPort)
        let limits = serverLimits.limits()
        let edge = EdgeServer(node: node, host: host, port: ports.edge, context: context, tls: tls, hub: nil, limits: limits)
        let rpc = ports.rpc.map {
            RPCServer(source: OrchestratorInfoSource(node: node, context: context, now: EdgeServer.wallClock),
                      hub: nil, host: host, port: $0, tls: tls, limits: limits.connections)
        }
        let checkpointer = LogCheckpointer(log: log, key: key, clock: clock, policy: CheckpointPolicy(
            everyEvents: checkpointEvents, everyMilliseconds: Int64(checkpointSeconds * 1_000)))
        let background = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await fleet.run() }
                group.addTask {
                    do { try await sink.run() } catch { NodeLifecycle.logger.error("log sink stopped: \(error)") }
                }
                // The projection host follows the log's tail; the redeemer and chain ticker react to it.
                // (Interim wiring until the node's ServiceGroup takes them: host first, settlement after.)
                group.addTask {
                    do { try await projections.run() } catch { NodeLifecycle.logger.error("projections stopped: \(error)") }
                }
                for service in settlement?.services ?? [] {
                    group.addTask {
                        do { try await service.run() } catch { NodeLifecycle.logger.error("settlement service stopped: \(error)") }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        do { try await checkpointer.checkpointIfDue() } catch {
                            NodeLifecycle.logger.error("log checkpoint failed: \(error)")
                        }
                        try? await Task.sleep(for: .milliseconds(500))
                    }
                }
            }
        }
        let settingsText = ["kafka": kafka.brokers ?? "", "data": data, "capacity": "\(capacity)",
                            "librdkafka": KafkaSettings.libraryVersion].merging(serverLimits.settings) { first, _ in first }
        try await NodeLifecycle.serve(edge, settings: settingsText) { edgeURL in
            let rpcAddress = try await rpc?.start()
            let served = ports.describe(edgeURL: edgeURL, grpc: rpcAddress.map { "\($0)" }, tls: tls != nil)
            FileHandle.standardOutput.write(Data(("node \(address) serving at \(served)"
                + "; kafka \(kafka.brokers ?? ""); log \(data)/log)\n").utf8))
        }
        rpc?.stop()
        await events.flush()
        // Give the log sink a moment to store what was just published, then stop it and the fleet.
        try? await Task.sleep(for: .seconds(1))
        sink.stop()
        fleet.stop()
        background.cancel()
        await background.value
        do { try await checkpointer.checkpointNow() } catch { NodeLifecycle.logger.error("final log checkpoint failed: \(error)") }
        producer.close()
        for problem in events.problems { NodeLifecycle.logger.error("event not published: \(problem)") }
    }
}
