import ArgumentParser
import EthCrypto
import EventModel
import Foundation
import MarketSimulation
import Synchronization

/// `streamflow simulate market`: the seeded, deterministic simulation of the whole market, one seed or a sweep.
struct SimulateMarketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract: "Run the whole market in one process (broadcasters, orchestrators, redeemers, chain) under seeded faults, checking its invariants after every step.",
        discussion: """
            A failing seed prints itself with the invariant broken; `--seed S` replays it exactly (same events, same log \
            hashes). Exit status 1 when any seed breaks an invariant.
            """)

    @Option(help: "Run this one seed and print its report.") var seed: UInt64?
    @Option(help: "Run this many seeds (from --from).") var seeds = 100
    @Option(help: "First seed of a sweep.") var from: UInt64 = 1
    @Option(help: "Broadcasters (one stream each).") var broadcasters = 2
    @Option(help: "Orchestrators.") var orchestrators = 3
    @Option(help: "Segments per stream (2 s of market time each).") var segments = 8
    @Option(help: "Seeds run at once.") var parallelism = 2
    @Option(help: "Plant a known bug to show the simulation finds it: \(PlantedBug.allCases.map(\.rawValue).joined(separator: ", ")).")
    var plant: String?
    @Option(help: "table or json.") var format = "table"
    @Flag(help: "Stop at the first failing seed of a sweep.") var stopAtFirst = false
    @Option(help: "With --seed: write every node's log to this file, one event per line (log name, sequence, hash, event).")
    var events: String?

    func validate() throws {
        guard (1...64).contains(broadcasters) else { throw ValidationError("--broadcasters must be 1…64") }
        guard (1...64).contains(orchestrators) else { throw ValidationError("--orchestrators must be 1…64") }
        guard (1...10_000).contains(segments) else { throw ValidationError("--segments must be 1…10000") }
        guard (1...10_000_000).contains(seeds) else { throw ValidationError("--seeds must be 1…10000000") }
        guard (1...64).contains(parallelism) else { throw ValidationError("--parallelism must be 1…64") }
        guard format == "table" || format == "json" else { throw ValidationError("--format must be table or json") }
        guard events == nil || seed != nil else { throw ValidationError("--events needs --seed") }
        if let plant, PlantedBug(rawValue: plant) == nil {
            throw ValidationError("--plant must be one of \(PlantedBug.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        var parameters = MarketSimulation.Parameters()
        parameters.broadcasters = broadcasters
        parameters.orchestrators = orchestrators
        parameters.segments = segments
        parameters.planted = plant.flatMap(PlantedBug.init(rawValue:))
        let scratch = NSTemporaryDirectory() + "streamflow-simulate-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        if let seed {
            let kept = KeptLogs()
            let keep: @Sendable (String, [EventRecord]) -> Void = { name, records in kept.add(name, records) }
            let outcome: MarketSimulation.Outcome = try await MarketSweep.one(seed: seed, parameters: parameters, scratch: scratch,
                                                                              logs: events == nil ? nil : keep)
            if let events { try Data(Self.eventLines(kept.all)).write(to: URL(fileURLWithPath: events)) }
            print(format == "json" ? try Self.json(outcome) : MarketReportText.outcome(outcome))
            if outcome.violation != nil { throw ExitCode(1) }
            return
        }
        let stop = stopAtFirst
        let summary = try await MarketSweep.run(first: from, count: seeds, parameters: parameters, parallelism: parallelism,
                                                scratch: scratch) { outcome in
            if let violation = outcome.violation {
                FileHandle.standardError.write(Data((violation.description + "\n").utf8))
                if stop { Foundation.exit(1) }
            }
        }
        print(format == "json" ? try Self.json(summary) : MarketReportText.summary(summary, first: from))
        if !summary.violations.isEmpty { throw ExitCode(1) }
    }

    /// Each log's records, one per line: log name, sequence, hash, the event as JSON.
    static func eventLines(_ logs: [(String, [EventRecord])]) -> [UInt8] {
        var lines: [UInt8] = []
        for (name, records) in logs {
            for record in records {
                lines += Array("\(name) \(record.sequence) \(record.hash.hex) ".utf8)
                try? EnvelopeJSON.append(record.envelope, to: &lines)
                lines.append(0x0a)
            }
        }
        return lines
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// The logs a single run hands back, kept until they are written out.
final class KeptLogs: Sendable {
    private let logs = Mutex<[(String, [EventRecord])]>([])
    func add(_ name: String, _ records: [EventRecord]) { logs.withLock { $0.append((name, records)) } }
    var all: [(String, [EventRecord])] { logs.withLock { $0 } }
}

/// The simulation's reports as text.
enum MarketReportText {
    static func outcome(_ outcome: MarketSimulation.Outcome) -> String {
        var lines = [
            "seed \(outcome.seed): \(outcome.steps) steps, \(outcome.segments) segments (\(outcome.delivered) delivered), "
                + "\(outcome.ticketsIssued) tickets, \(outcome.winners) winners, \(outcome.redeemed) redeemed in \(outcome.transactions) transactions, "
                + "\(outcome.events) events, \(String(format: "%.0f", Double(outcome.virtualMilliseconds) / 1_000)) s of market time",
            "faults: " + faultText(outcome.faults),
            "log heads: " + outcome.logHeads.map { String($0.prefix(18)) }.joined(separator: " "),
        ]
        lines.append(outcome.violation.map { "VIOLATION \($0)" } ?? "all invariants held")
        return lines.joined(separator: "\n")
    }

    static func summary(_ summary: MarketSweep.Summary, first: UInt64) -> String {
        var lines = [
            "\(summary.seeds) seeds from \(first): \(summary.segments) segments (\(summary.delivered) delivered), \(summary.ticketsIssued) tickets, "
                + "\(summary.winners) winners, \(summary.redeemed) redeemed in \(summary.transactions) transactions, \(summary.events) events",
            String(format: "%.1f s wall: %.0f simulated segments/s, %.2f market-hours (%.0f market-hours per wall minute)", summary.wallSeconds,
                   summary.segmentsPerSecond, summary.marketHours, summary.wallSeconds > 0 ? summary.marketHours / summary.wallSeconds * 60 : 0),
            "faults: " + faultText(summary.faults),
        ]
        if summary.violations.isEmpty {
            lines.append("all invariants held in every seed")
        } else {
            lines.append("\(summary.violations.count) seeds broke an invariant:")
            lines += summary.violations.prefix(20).map { "  " + $0.description.replacingOccurrences(of: "\n", with: "\n  ") }
        }
        return lines.joined(separator: "\n")
    }

    static func faultText(_ faults: FaultCounts) -> String {
        "\(faults.crashes) crashes (\(faults.eventsLostInCrashes) uncommitted events lost), \(faults.broadcasterRestarts) broadcaster restarts, "
            + "\(faults.tamperedSegments) tamper windows, \(faults.transcoderFailures) transcoder failures, \(faults.droppedMessages) dropped, "
            + "\(faults.duplicatedMessages) duplicated, \(faults.delayedDuplicates) late duplicates (\(faults.delayedRefused) refused at the bound), "
            + "\(faults.lostAnswers) lost answers, \(faults.chainDrops) dropped and \(faults.chainAnswersLost) unanswered transactions, "
            + "\(faults.gasSpikeSteps) gas-spike steps"
    }
}
