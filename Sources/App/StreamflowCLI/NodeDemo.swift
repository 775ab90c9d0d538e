import Benchmarks
import Broadcaster
import Edge
import EthCrypto
import EventLog
import EventModel
import Foundation
import Orchestrator
import Payments
import Projections
import Settlement
import Transcoding
import Wire

/// The main demo: a broadcaster streams a 720p source (generated, or a given file) through the market of
/// `NodeDemoMarket` — 4 orchestrators found on the chain's active set, one tampering, one dying midway —
/// paying every segment with tickets, verifying every result, failing over, and sampling second opinions.
/// Redemptions run as the chain advances. At the end: a summary, and on disk the HLS output, the HTML fee
/// report and the replayable log. Returns the number of segments lost.
enum NodeDemo {
    struct Options {
        var out: String
        var input: String?
        var seconds: Int
        var profiles: [VideoProfile]
        var secondOpinionRate: Double
        /// Settle on a real chain instead of the embedded one.
        var ethereum: EthDemoMarket.Settings?
    }

    static func run(_ options: Options) async throws -> Int {
        LibavLog.errorsOnly()
        try? FileManager.default.removeItem(atPath: options.out)
        try FileManager.default.createDirectory(atPath: options.out, withIntermediateDirectories: true)
        let source = try prepareSource(options)
        let market: any MainDemoMarket
        if let ethereum = options.ethereum {
            market = try await EthDemoMarket(directory: options.out + "/node", profiles: options.profiles, settings: ethereum)
        } else {
            market = try await NodeDemoMarket(directory: options.out + "/node", profiles: options.profiles)
        }
        defer { market.log.close() }
        print("Streamflow demo: a broadcaster, 4 orchestrators × 2 transcoders, \(market.chainDescription)")
        print("   source \(source) → \(options.profiles.map(\.name).joined(separator: ", "))")
        let segments = try Segmenter.split(input: source, into: options.out + "/source-segments", seconds: 2)

        try await market.start()
        let stakes = try await market.activeSet()
        let (candidates, unreachable) = await OrchestratorDirectory.discover(urls: stakes.keys.sorted(), key: market.broadcaster,
                                                                             timeout: 3, stakes: stakes)
        print("   active set on chain: \(stakes.count) orchestrators; \(candidates.count) answered GetOrchestrator, \(unreachable.count) did not")
        for orchestrator in market.members {
            let role = NodeDemoMarket.roles.first { $0.name == orchestrator.name }!
            print("     \(orchestrator.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(orchestrator.url)  price "
                  + "\(orchestrator.pricePerPixel) wei/px  stake \(Int(stakes[orchestrator.url] ?? 0))"
                  + (role.tamper ? "  [fault: tampers renditions]" : "") + (orchestrator.name == dying ? "  [fault: dies midway]" : ""))
        }
        let wire = options.profiles.map(\.wire)
        let broadcaster = StreamBroadcaster(
            key: market.broadcaster, manifest: "demo", profiles: wire, candidates: candidates, maxPricePerPixel: market.maxPricePerPixel,
            seed: 2026, scratchDirectory: options.out + "/node", funds: market.funds,
            policy: BroadcastPolicy(maxAttempts: 4, secondOpinionRate: options.secondOpinionRate), events: market.sink)
        let output = try LiveOutput(directory: options.out + "/hls", profiles: options.profiles)

        let started = Date()
        var lost = 0, switches = 0, latencies: [Int64] = []
        var progress = Progress(total: segments.count)
        for source in segments {
            if source.index == segments.count / 2, let victim = market.members.firstIndex(where: { $0.name == dying }) {
                await market.stop(victim)
                progress.note("\(dying) died (its edge stopped) at segment \(source.index)")
            }
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: source.path)))
            let outcome = await broadcaster.send(BroadcastSegment(seq: Int64(source.index), bytes: bytes,
                                                                  durationMs: Int32((source.duration * 1_000).rounded())))
            if outcome.deliveredBy != nil {
                try output.append(seq: Int64(source.index), duration: source.duration, renditions: outcome.renditions)
                latencies.append(outcome.latencyMs)
            } else {
                lost += 1
            }
            if !outcome.failures.isEmpty { switches += 1 }
            let by = market.members.first { $0.url == outcome.deliveredBy }?.name ?? "LOST"
            progress.step(label: "segment \(source.index) → \(by) \(outcome.latencyMs) ms"
                          + (outcome.failures.isEmpty ? "" : " (after \(outcome.failures.count) failed: "
                             + outcome.failures.map { failure in
                                 (market.members.first { $0.url == failure.url }?.name ?? "?") + " " + failure.reason.prefix(40)
                             }.joined(separator: "; ") + ")")
                          + (outcome.secondOpinionPSNR.map { String(format: " [second opinion PSNR %.1f dB]", $0) } ?? ""))
            try await market.segmentDone(index: source.index)
        }
        let wall = Date().timeIntervalSince(started)
        try output.finish()
        try await market.settle()
        await market.stopAll()
        await market.sink.flush()
        try await market.stopProjections()

        // Finance's report is folded from the log; the chain is the cross-check, to the wei.
        let report = FeeReport(ledger: try market.host.state(of: FeeLedgerProjection.self), by: .orchestrator)
        let settled = try await market.settlement(report: report)
        let differences = settled.differences
        let summary = try NodeDemoSummary(log: market.log, settled: settled, wallSeconds: wall,
                                          mediaSeconds: segments.reduce(0) { $0 + $1.duration }, segments: segments.count,
                                          lost: lost, switches: switches, latencies: latencies)
        try Data(FeeReportHTML.render(report).utf8).write(to: URL(fileURLWithPath: options.out + "/fee-report.html"))
        for line in summary.lines { print(line) }
        print("\n   fees by orchestrator (wei), from the log:")
        for line in report.table.split(separator: "\n") { print("     \(line)") }
        print(differences.isEmpty ? "   reconciled with \(settled.reconciledWith): equal to the wei"
                                  : "   the log and the chain DIFFER:\n" + differences.map { "     \($0)" }.joined(separator: "\n"))
        print("\n   on disk:")
        print("     HLS            \(options.out)/hls/master.m3u8")
        print("     fee report     \(options.out)/fee-report.html")
        print("     event log      \(options.out)/node/log  (streamflow replay verify --data \(options.out)/node)")
        if let last = market.sink.lastFailure { print("   log problems: \(market.sink.failureCount), the last: \(last)") }
        return lost
    }

    /// The orchestrator that dies midway.
    static let dying = "bravo"

    /// The given file, or a generated 720p test pattern with a tone of `seconds`.
    static func prepareSource(_ options: Options) throws -> String {
        if let input = options.input { return input }
        let path = options.out + "/source-720p.mp4"
        try FFmpegTool.run(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
                            "-t", "\(options.seconds)", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p",
                            "-c:a", "aac", path])
        return path
    }
}


/// A progress bar on a terminal (redrawn in place), one line per step otherwise.
struct Progress {
    let total: Int
    var done = 0
    let terminal = isatty(STDOUT_FILENO) != 0

    mutating func step(label: String) {
        done += 1
        let width = 30
        let filled = total > 0 ? done * width / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = "   [\(bar)] \(String(format: "%3d", done))/\(total)  \(label)"
        if terminal {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + String(line.prefix(160)) + (done == total ? "\n" : "")).utf8))
        } else {
            print(line)
        }
    }

    func note(_ text: String) {
        if terminal {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[2K   ! " + text + "\n").utf8))
        } else {
            print("   ! " + text)
        }
    }
}
