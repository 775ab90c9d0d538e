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
    @Option(help: "Comma-separated orchestrator gRPC addresses (host:port, https://host:port or http://host:port).") var orchestrators: String
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

    func run() async throws {
        LibavLog.errorsOnly()
        try WritableDirectory.check(out, option: "--out")
        let (input, orchestrators, out, segmentSeconds, maxPrice) = (input, orchestrators, out, segmentSeconds, maxPricePerPixel)
        let (attemptTimeout, offchain) = (attemptTimeout, offchain)
        EdgeHTTP.usesHTTP2 = http2
        let key = try keystore.map { try password.key(inKeystore: $0) }
        let profiles = try VideoProfile.parseList(profiles)
        let report = try await NodeLifecycle.withMetricsServer(host: metricsHost, port: metricsPort) {
            try await BroadcastRun.run(input: input, urls: orchestrators.split(separator: ",").map(String.init), out: out,
                                       profiles: profiles, segmentSeconds: segmentSeconds, maxPrice: maxPrice,
                                       attemptTimeout: attemptTimeout, key: key, offchain: offchain)
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

    /// The default policy, or one whose attempts last `attemptTimeout` seconds each (and the budget all of them).
    static func policy(attempts: Int, attemptTimeout: Double?) -> BroadcastPolicy {
        guard let attemptTimeout else { return BroadcastPolicy(maxAttempts: attempts) }
        return BroadcastPolicy(maxAttempts: attempts, attemptTimeoutFactor: 0, minimumAttemptSeconds: attemptTimeout,
                               minimumBudgetSeconds: attemptTimeout * Double(attempts))
    }

    static func run(input: String, urls: [String], out: String, profiles: [VideoProfile], segmentSeconds: Double,
                    maxPrice: Double, attemptTimeout: Double? = nil, key: PrivateKey? = nil,
                    offchain: Bool = false) async throws -> Report {
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
            funds: (UInt256(1_000_000_000_000_000_000), UInt256(1_000_000_000_000_000_000)),
            policy: policy)
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
