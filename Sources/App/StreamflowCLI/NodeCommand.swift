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
import StreamflowNode
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
    @OptionGroup var settlement: SettlementOptions
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
        let key = try keystore.map { try password.key(inKeystore: $0) } ?? NodeSecrets.nodeKey(directory: data)
        let address = key.address.checksummed
        let tls = noTls ? nil : try TLSIdentity.selfSigned(hosts: Array(Set([host, "localhost", "127.0.0.1"])).sorted())
        let ports = try EdgePorts(tls: tls != nil, port: port, httpPort: httpPort, grpcPort: grpcPort)
        var configuration = NodeConfiguration(
            key: key, storage: .directory(data), outputDirectory: data + "/out",
            price: try PriceInfo(pricePerUnit: UInt256(pricePerPixel), pixelsPerUnit: .one), capacity: capacity,
            profiles: try VideoProfile.parseList(profiles),
            transcoders: .fleet(FleetSettings(kafka: settings, topics: kafka.topics, placement: kafka.placement, logGroup: logGroup,
                                              timeout: .milliseconds(Int64(fleetTimeout * 1_000)))),
            chain: try await settlement.nodeChain(key: key))
        configuration.host = host
        configuration.port = ports.edge
        configuration.rpcPort = ports.rpc
        configuration.tls = tls
        configuration.ticketPolicy = settlement.policy
        configuration.limits = serverLimits.limits()
        configuration.checkpoints = CheckpointPolicy(everyEvents: checkpointEvents, everyMilliseconds: Int64(checkpointSeconds * 1_000))
        configuration.drainLimit = NodeLifecycle.drainLimit
        let node = try await Node.open(configuration)
        let settingsText = ["kafka": kafka.brokers ?? "", "data": data, "capacity": "\(capacity)",
                            "librdkafka": KafkaSettings.libraryVersion].merging(serverLimits.settings) { first, _ in first }
        try await NodeLifecycle.serve(node, settings: settingsText) { edgeURL, rpc in
            let served = ports.describe(edgeURL: edgeURL, grpc: rpc.map { "\($0)" }, tls: tls != nil)
            FileHandle.standardOutput.write(Data(("node \(address) serving at \(served)"
                + "; kafka \(kafka.brokers ?? ""); log \(data)/log)\n").utf8))
        }
    }
}
