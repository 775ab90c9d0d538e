import ArgumentParser
import Audit
import EthCrypto
import EventLog
import EventModel
import Foundation
import Projections

/// `streamflow replay …`: audits over a node's event log (verify, export, import, rebuild, show).
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Audit, export, import and replay the event log.",
        subcommands: [
            Verify.self, Export.self, Import.self, Rebuild.self, Show.self, Project.self, RecordReference.self,
            AppendLoop.self,
        ])

    /// `--data DIR`: the node's data directory; the log lives in DIR/log.
    struct DataOptions: ParsableArguments {
        @Option(help: "The node's data directory (the log is DIR/log).")
        var data: String = "./data"

        var logDirectory: String { URL(fileURLWithPath: data).appendingPathComponent("log").path }

        /// Opens an existing log; a missing one is an error, not a new empty log. A damaged store
        /// (truncated, not LMDB's) is refused by name; a fault while reading one exits 3 naming it.
        func openExisting(readOnly: Bool = true) throws -> EventLog {
            guard FileManager.default.fileExists(atPath: logDirectory + "/data.mdb") else {
                throw CLIError("no event log at \(logDirectory)")
            }
            StoreFaultGuard.install(store: logDirectory)
            var options = EventLog.Options()
            options.readOnly = readOnly
            return try EventLog(directory: logDirectory, options: options)
        }
    }

    /// `--trust ADDRESS`: every checkpoint must be signed by this address, and one at least.
    struct TrustOption: ParsableArguments {
        @Option(help: "Require every signed checkpoint to be this address's (and at least one).") var trust: String?

        func address() throws -> Address? {
            guard let trust else { return nil }
            do { return try Address(trust) } catch { throw CLIError("--trust \(trust) is not an address: \(error)") }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain, schemas, signatures and indexes; name the first bad sequence (exit 1).")
        @OptionGroup var data: DataOptions
        @Flag(help: "Rebuild the indexes from the events (one transaction) when only the indexes disagree.")
        var repair = false
        @OptionGroup var trust: TrustOption

        func run() throws {
            let log = try data.openExisting(readOnly: !repair)
            var report = try LogVerifier.verify(log, trusted: try trust.address())
            if let failure = report.failure {
                FileHandle.standardError.write(Data("verify FAILED at \(failure)\n".utf8))
                throw ExitCode(1)
            }
            if !report.indexes.passed && repair {
                let checkpoint = try log.rebuildIndexes()
                let found = report.indexes.findingCount
                report.indexes = try log.auditIndexes()
                print("repaired the indexes: \(found) findings, rebuilt through \(checkpoint)")
            }
            guard report.indexes.passed else {
                let lines = report.indexes.findings.map { "  \($0)" }.joined(separator: "\n")
                FileHandle.standardError.write(Data(("verify FAILED: \(report.indexes.findingCount) index findings "
                    + "(the events verified; `replay verify --repair` rebuilds the indexes)\n\(lines)\n").utf8))
                throw ExitCode(1)
            }
            print("verify ok: \(report.events) events, \(report.signatures) signatures, head \(report.head.sequence) \(report.head.hash)"
                + ", indexes agree through \(report.indexes.checkpoint.map(String.init) ?? "none")"
                + (report.checkpoints == 0 ? ", no signed checkpoint"
                    : ", \(report.checkpoints) checkpoints, last signed sequence \(report.lastSigned)"))
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write events as JSON Lines to stdout.")
        @OptionGroup var data: DataOptions
        @Option(help: "First sequence to export.") var from: UInt64 = 1
        @Option(help: "Only this topic.") var topic: String?
        @Option(help: "Only events with this key, as KIND=VALUE (stream, session, orchestrator, sender).")
        var key: String?

        func run() throws {
            let log = try data.openExisting()
            var topicFilter: Topic?
            if let topic {
                guard let parsed = Topic(rawValue: topic) else {
                    throw CLIError("unknown topic \(topic); one of \(Topic.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                topicFilter = parsed
            }
            var keyFilter: (EventKeys.Kind, String)?
            if let key {
                let parts = key.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let kind = EventKeys.Kind(rawValue: parts[0]), !parts[1].isEmpty else {
                    throw CLIError("--key must be KIND=VALUE with KIND one of stream, session, orchestrator, sender")
                }
                keyFilter = (kind, parts[1])
            }
            let output = FileHandle.standardOutput
            var buffer: [UInt8] = []
            try LogExporter.export(log, from: from, topic: topicFilter, key: keyFilter) { line in
                buffer.append(contentsOf: line)
                if buffer.count > 1 << 20 {
                    output.write(Data(buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            output.write(Data(buffer))
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild a log from an export, checking every line; nothing is written unless all pass.")
        @OptionGroup var data: DataOptions
        @Argument(help: "The JSON Lines export (- for stdin).") var file: String
        @OptionGroup var trust: TrustOption

        func run() throws {
            let bytes: [UInt8]
            if file == "-" {
                bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
            } else {
                guard let handle = FileHandle(forReadingAtPath: file) else { throw CLIError("cannot read \(file)") }
                bytes = Array(try handle.readToEnd() ?? Data())
            }
            do {
                let report = try LogImporter.importLines(bytes, into: data.logDirectory, trusted: try trust.address())
                let log = try EventLog(directory: data.logDirectory)
                try ProjectionHost(log: log).catchUp()
                print("imported \(report.events) events (\(report.signatures) signatures checked), head \(report.head.hash)")
            } catch let failure as AuditFailure {
                FileHandle.standardError.write(Data("import FAILED at \(failure); nothing was written\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every projection from the first event and compare with the stored state.")
        @OptionGroup var data: DataOptions

        func run() throws {
            let log = try data.openExisting()
            let results = try ProjectionRebuild.run(log)
            for result in results {
                print("\(result.name.padding(toLength: 10, withPad: " ", startingAt: 0)) through \(result.checkpoint): "
                    + (result.matches ? "match \(result.storedDigest)" : "MISMATCH stored \(result.storedDigest) rebuilt \(result.rebuiltDigest)"))
            }
            if results.contains(where: { !$0.matches }) { throw ExitCode(1) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The timeline of one stream.")
        @OptionGroup var data: DataOptions
        @Option(help: "The stream id.") var stream: String

        func run() throws {
            let lines = try StreamTimeline.lines(try data.openExisting(), stream: stream)
            guard !lines.isEmpty else { throw CLIError("no events for stream \(stream)") }
            print(lines.joined(separator: "\n"))
        }
    }

    struct Project: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring the stored projections up to the head and print them as JSON.")
        @OptionGroup var data: DataOptions

        func run() throws {
            let log = try data.openExisting(readOnly: false)
            try ProjectionHost(log: log).catchUp()
            print(try ProjectionSummary.json(log: log))
        }
    }
}
