import ArgumentParser
import Audit
import EventLog
import Foundation
import Projections
import LMDB
import Scenarios

extension ReplayCommand {
    /// Regenerates Replay/reference: the reference scenario's export and its expected projection summary.
    struct RecordReference: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record-reference", abstract: "Write the reference scenario's export and summary into DIR.")
        @Argument(help: "Directory (usually Replay/reference).") var directory = "Replay/reference"

        func run() throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sf-reference-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let log = try EventLog(directory: scratch, options: .init(durability: .noSync))
            let events = try ReferenceScenario.events().map { try PreparedEvent($0) }
            _ = try log.appendAndWait(events)
            try ProjectionHost(log: log).catchUp()
            var export: [UInt8] = []
            try LogExporter.export(log) { export += $0 }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(export).write(to: URL(fileURLWithPath: directory).appendingPathComponent("events.jsonl"))
            try Data(try ProjectionSummary.json(log: log).utf8).write(
                to: URL(fileURLWithPath: directory).appendingPathComponent("expected-summary.json"))
            print("wrote \(events.count) events and the expected summary to \(directory)")
        }
    }
}
