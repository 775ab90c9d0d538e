import ArgumentParser
import Broadcaster
import Edge
import EthCrypto
import Foundation
import WireRPC
import Orchestrator
import Payments
import Transcoding
import Wire

/// `streamflow broadcast`: stream a file's segments through orchestrators, verifying and failing over.
struct BroadcastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broadcast",
        abstract: "Cut INPUT into segments and send each to the orchestrators, paying with tickets, verifying every result.")

    @Argument(help: "The input file.") var input: String
    @Option(help: "Comma-separated orchestrator gRPC addresses (host:port, https://host:port or http://host:port); with --eth-rpc and none given, the active set's service URIs.")
    var orchestrators: String?
    @Option(help: "A real chain's JSON-RPC URL: the broadcaster's deposit and reserve are read from Livepeer's TicketBroker (refused when empty), and orchestrators found on the active set.")
    var ethRpc: String?
    @Option(help: "With --eth-rpc: Livepeer's Controller address.") var ethController: String?
    @Option(help: "Where renditions and playlists go.") var out: String
    @Option var profiles = "P144p30fps16x9"
    @Option var segmentSeconds: Double = 2
    @Option(help: "Highest price accepted, wei per pixel.") var maxPricePerPixel: Double = 100_000
    @Option(help: "Seconds one orchestrator has for a segment before the next is tried (default: 3× the segment, at least 5).")
    var attemptTimeout: Double?
    @Option(help: "Serve GET /metrics on this port while broadcasting (0 picks a free one).") var metricsPort: Int?
    @Option(help: "The broadcaster's key (keystore v3; the address funded on the chain). Default: a fresh key.")
    var keystore: String?
    @OptionGroup var password: PasswordOptions
    @Option(help: "Address the metrics server binds.") var metricsHost = "127.0.0.1"
    @Flag(help: "go-livepeer's -network offchain: unsigned requests, no tickets (only with off-chain orchestrators).")
    var offchain = false
    @Flag(help: "POST segments and fetch renditions over HTTP/2 when the edge offers it, as go-livepeer (default HTTP/1.1).")
    var http2 = false
    @Option(help: "A JSON file of these options (keys are the long names, e.g. \"max-price-per-pixel\"); options given here win.")
    var config: String?
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard orchestrators != nil || ethRpc != nil else { throw ValidationError("give --orchestrators, or --eth-rpc to find them on the chain") }
        guard (ethRpc == nil) == (ethController == nil) else { throw ValidationError("--eth-rpc and --eth-controller go together") }
        guard ethRpc == nil || keystore != nil else { throw ValidationError("--eth-rpc needs --keystore: the account funded on the chain") }
        guard ethRpc == nil || !offchain else { throw ValidationError("--eth-rpc and --offchain are exclusive") }
    }

    func run() async throws {
        LibavLog.errorsOnly()
        try WritableDirectory.check(out, option: "--out")
        let (input, out, segmentSeconds, maxPrice) = (input, out, segmentSeconds, maxPricePerPixel)
        let (attemptTimeout, offchain) = (attemptTimeout, offchain)
        EdgeHTTP.usesHTTP2 = http2
        let key = try keystore.map { try password.key(inKeystore: $0) }
        let profiles = try VideoProfile.parseList(profiles)
        var urls = orchestrators.map { $0.split(separator: ",").map(String.init) } ?? []
        var funds = BroadcastRun.assumedFunds
        if let ethRpc, let ethController, let key {
            let chain = try await BroadcasterChain.read(rpc: ethRpc, controller: ethController, sender: key.address)
            funds = chain.funds
            if urls.isEmpty { urls = chain.orchestrators }
        }
        guard !urls.isEmpty else { throw CLIError("no orchestrators: none is active with a service URI on the chain; give --orchestrators") }
        let report = try await NodeLifecycle.withMetricsServer(host: metricsHost, port: metricsPort) { [urls, funds] in
            try await BroadcastRun.run(input: input, urls: urls, out: out,
                                       profiles: profiles, segmentSeconds: segmentSeconds, maxPrice: maxPrice,
                                       attemptTimeout: attemptTimeout, key: key, offchain: offchain, funds: funds)
        }
        for line in report.lines { print(line) }
        if report.lost > 0 { throw ExitCode(1) }
    }
}

/// One broadcast from a file: discovery, then every segment sent, verified, written, with HLS playlists.
enum BroadcastRun {
    struct Report: Sendable {
        var delivered = 0
        var lost = 0
        var failures: [(seq: Int64, url: String, reason: String)] = []
        var deliveredBy: [String: Int] = [:]
        var lines: [String] = []
    }

    /// What the broadcaster assumes it holds when no chain is named: 1 ETH deposit, 1 ETH reserve.
    static let assumedFunds = (deposit: UInt256(1_000_000_000_000_000_000), reserve: UInt256(1_000_000_000_000_000_000))

    /// The default policy, or one whose attempts last `attemptTimeout` seconds each (and the budget all of them).
    static func policy(attempts: Int, attemptTimeout: Double?) -> BroadcastPolicy {
        guard let attemptTimeout else { return BroadcastPolicy(maxAttempts: attempts) }
        return BroadcastPolicy(maxAttempts: attempts, attemptTimeoutFactor: 0, minimumAttemptSeconds: attemptTimeout,
                               minimumBudgetSeconds: attemptTimeout * Double(attempts))
    }

    static func run(input: String, urls: [String], out: String, profiles: [VideoProfile], segmentSeconds: Double,
                    maxPrice: Double, attemptTimeout: Double? = nil, key: PrivateKey? = nil,
                    offchain: Bool = false, funds: (deposit: UInt256, reserve: UInt256) = assumedFunds) async throws -> Report {
        let key = try key ?? PrivateKey.generate()
        let (candidates, unreachable) = await OrchestratorDirectory.discover(urls: urls, key: key, timeout: 3, offchain: offchain)
        var policy = BroadcastRun.policy(attempts: max(1, candidates.count + unreachable.count), attemptTimeout: attemptTimeout)
        policy.offchain = offchain
        let segments = try Segmenter.split(input: input, into: out + "/source", seconds: segmentSeconds)
        let wireProfiles = profiles.map(\.wire)
        // Unreachable ones stay candidates (with a guessed price) so that failover is exercised and recorded.
        let all = candidates + unreachable.map {
            OrchestratorCandidate(address: (try? PrivateKey.generate().address) ?? .zero, url: $0, pricePerPixel: maxPrice / 2, stake: 1)
        }
        let broadcaster = StreamBroadcaster(
            key: key, manifest: "broadcast", profiles: wireProfiles, candidates: all, maxPricePerPixel: maxPrice, seed: 7,
            scratchDirectory: out,
            funds: funds, policy: policy)
        var report = Report()
        let output = try LiveOutput(directory: out, profiles: profiles)
        for source in segments {
            guard !Task.isCancelled else { break }
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: source.path)))
            let outcome = await broadcaster.send(BroadcastSegment(seq: Int64(source.index), bytes: bytes,
                                                                  durationMs: Int32((source.duration * 1_000).rounded())))
            report.failures += outcome.failures.map { (outcome.seq, $0.url, $0.reason) }
            guard let by = outcome.deliveredBy else {
                report.lost += 1
                continue
            }
            report.delivered += 1
            report.deliveredBy[by, default: 0] += 1
            try output.append(seq: Int64(source.index), duration: source.duration, renditions: outcome.renditions)
        }
        report.lost = segments.count - report.delivered  // segments never sent (stopped by a signal) are lost too
        try output.finish()
        report.lines.append("\(segments.count) segments: \(report.delivered) delivered, \(report.lost) lost; "
            + "\(candidates.count) orchestrators answered, \(unreachable.count) did not")
        for (url, count) in report.deliveredBy.sorted(by: { $0.key < $1.key }) { report.lines.append("  \(url) delivered \(count)") }
        for failure in report.failures {
            report.lines.append("  segment \(failure.seq) at \(failure.url): \(failure.reason.prefix(120))")
        }
        report.lines.append("HLS: \(out)/master.m3u8")
        return report
    }
}
