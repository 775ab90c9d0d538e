import ArgumentParser
import Broadcaster
import Edge
import EthCrypto
import EventLog
import EventModel
import KafkaBus
import Foundation
import Orchestrator
import Payments
import Settlement
import Transcoding

/// `streamflow broadcaster`: a broadcaster node serving HTTP push ingest and live HLS, streaming every pushed
/// segment through orchestrators from a URL list or from a settlement chain's active set (the embedded chain's, or
/// Livepeer's on a real chain with `--eth-rpc`, where its deposit and reserve are read too).
struct BroadcasterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broadcaster",
        abstract: "Serve PUT/POST /live/{manifest}/{seq}.ts and /hls/{manifest}/…; pay, verify and fail over per segment.")

    @Option var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one; the URL is printed).") var port = 8935
    @Option(help: "Comma-separated orchestrator URLs.") var orchestrators: String?
    @Option(help: "A node data directory whose chain (DIR/chain) lists the active set and service URIs.") var chain: String?
    @Option(help: "A real chain's JSON-RPC URL: the deposit and reserve are read from Livepeer's TicketBroker (refused when empty), and orchestrators found on the active set.")
    var ethRpc: String?
    @Option(help: "With --eth-rpc: Livepeer's Controller address.") var ethController: String?
    @Option(help: "The broadcaster's key (keystore v3; the address funded on the chain). Default: a fresh key.")
    var keystore: String?
    @OptionGroup var password: PasswordOptions
    @Option(help: "Where HLS output goes, one directory per manifest; the log is DIR/log.") var out: String
    @Option var profiles = "P240p30fps16x9,P144p30fps16x9"
    @Option(help: "Highest price accepted, wei per pixel.") var maxPricePerPixel: Double = 100_000
    @Option(help: "Share of segments also sent to a second orchestrator and compared by PSNR.") var secondOpinion = 0.0
    @Option(help: "Live manifests at most: a new one ends the least recently pushed idle stream, or gets 503 when all are busy.")
    var maxStreams = 1_000
    @Option(help: "Seconds without a push after which a stream is ended (ENDLIST) and forgotten; a later push resumes it from the log.")
    var streamIdleTimeout: Double = 60
    @Option(help: "Seconds one orchestrator has for a segment before the next is tried (default: 3× the segment, at least 5).")
    var attemptTimeout: Double?
    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var serverLimits: ServerLimitOptions

    func validate() throws {
        guard (ethRpc == nil) == (ethController == nil) else { throw ValidationError("--eth-rpc and --eth-controller go together") }
        guard ethRpc == nil || chain == nil else { throw ValidationError("--chain (embedded) and --eth-rpc are exclusive") }
        guard ethRpc == nil || keystore != nil else { throw ValidationError("--eth-rpc needs --keystore: the account funded on the chain") }
    }

    func run() async throws {
        LibavLog.errorsOnly()
        try WritableDirectory.check(out, option: "--out")
        let key = try keystore.map { try password.key(inKeystore: $0) } ?? PrivateKey.generate()
        var stakes = try chain.map { try LocalChain.existing(directory: $0 + "/chain").state.serviceStakes } ?? [:]
        var funds = BroadcastRun.assumedFunds
        if let ethRpc, let ethController {
            let reading = try await BroadcasterChain.read(rpc: ethRpc, controller: ethController, sender: key.address)
            funds = reading.funds
            stakes.merge(reading.stakes) { embedded, _ in embedded }
        }
        let urls = (orchestrators?.split(separator: ",").map(String.init) ?? []) + stakes.keys.sorted()
        guard !urls.isEmpty else {
            throw ValidationError("give --orchestrators URLS, --chain DIR or --eth-rpc URL (with service URIs registered)")
        }
        let (candidates, unreachable) = await OrchestratorDirectory.discover(urls: urls, key: key, timeout: 3, stakes: stakes)
        FileHandle.standardOutput.write(Data(
            "broadcaster \(key.address.checksummed): \(candidates.count) orchestrators answered, \(unreachable.count) did not\n".utf8))
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // The broadcaster's events: into its own log at OUT/log, or with --kafka onto the topics, for a node's log sink.
        let sink: any EventSink
        var localLog: EventLog?
        var published: (sink: KafkaEventSink, producer: KafkaProducer)?
        if kafka.brokers != nil {
            let producer = try KafkaProducer(settings: try kafka.connect(clientID: "streamflow-broadcaster"))
            let kafkaSink = KafkaEventSink(publisher: EventPublisher(producer: producer, topics: kafka.topics))
            published = (kafkaSink, producer)
            sink = kafkaSink
        } else {
            let log = try EventLog(directory: out + "/log")
            localLog = log
            sink = LogEventSink(log: log)
        }
        let history = localLog
        let ladder = try VideoProfile.parseList(profiles)
        let (out, maxPrice) = (out, maxPricePerPixel)
        let policy = {
            var policy = BroadcastRun.policy(attempts: max(1, candidates.count), attemptTimeout: attemptTimeout)
            policy.secondOpinionRate = min(1, max(0, secondOpinion))
            return policy
        }()
        let idleMs = UInt64((min(max(streamIdleTimeout, 0.001), 86_400) * 1_000).rounded())
        let sessions = StreamSessions(maxStreams: maxStreams, idleTimeoutMs: idleMs) { [funds] manifest in
            // What this manifest published before (an earlier run, or before it went idle): its playlist resumes.
            let before = try history.map { try Self.delivered(manifest: manifest, in: $0) } ?? []
            return StreamSessions.Stream(
                broadcaster: StreamBroadcaster(
                    key: key, manifest: manifest, profiles: ladder.map(\.wire), candidates: candidates, maxPricePerPixel: maxPrice,
                    seed: UInt64.random(in: 1...UInt64.max), scratchDirectory: out,
                    funds: funds, policy: policy, events: sink),
                output: try LiveOutput(directory: "\(out)/hls/\(manifest)", profiles: ladder, resuming: before),
                published: before)
        }
        let server = IngestServer(sessions: sessions, outputDirectory: out + "/hls", host: host, port: port,
                                  limits: serverLimits.limits())
        let url = try await server.start()
        FileHandle.standardOutput.write(Data("ingest at \(url)/live/{manifest}/{seq}.ts; HLS at \(url)/hls/{manifest}/master.m3u8\n".utf8))
        let stop = SignalStop { server.stop() }
        do { try await server.wait() } catch is CancellationError {}  // SIGTERM/SIGINT: stopped on purpose
        _ = stop
        // Everything emitted reaches the broker before the process ends.
        if let published {
            await published.sink.flush()
            published.producer.close()
            if let last = published.sink.lastFailure {
                FileHandle.standardError.write(Data("events not published (\(published.sink.failureCount) problems), the last: \(last)\n".utf8))
            }
        }
    }

    /// The segments `manifest` delivered, as the broadcaster's log has them.
    static func delivered(manifest: String, in log: EventLog) throws -> [PublishedSegments.Segment] {
        var segments = PublishedSegments()
        try log.scan(key: (.stream, manifest)) { stored in
            segments.apply(try stored.record().envelope)
            return true
        }
        return segments.inOrder
    }
}
