import ArgumentParser
import EventLog
import EventModel
import Foundation
import Projections
import Scenarios

extension ReplayCommand {
    /// A hidden tool for the crash test: appends batches forever, printing "ack SEQ" after each
    /// commit returns, and catches up the projections every few batches. Killed from outside.
    struct AppendLoop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "append-loop", abstract: "Append synthetic batches until killed (crash testing).",
            shouldDisplay: false)
        @OptionGroup var data: DataOptions
        @Option(help: "Events per batch.") var batch = 50
        @Option(help: "Catch up projections every N batches.") var projectEvery = 3
        @Option(help: "Stop after this many batches (default: never).") var batches = Int.max
        @Option(help: "Initial LMDB map size in KiB (small values exercise map growth).") var initialMapKib = 65_536

        func run() throws {
            var options = EventLog.Options()
            options.initialMapSize = initialMapKib << 10
            let log = try EventLog(directory: data.logDirectory, options: options)
            let host = try ProjectionHost(log: log)
            var factory = SyntheticEvents(seed: UInt64(getpid()), stream: "crash-\(getpid())")
            for round in 0..<batches {
                let events = try (0..<batch).map { _ in try PreparedEvent(factory.next()) }
                let outcomes = try log.appendAndWait(events)
                // Unbuffered: the line is out before the next batch starts, so a kill cannot hide it.
                FileHandle.standardOutput.write(Data("ack \(outcomes.last!.sequence) \(events.last!.header.id)\n".utf8))
                if round % projectEvery == projectEvery - 1 { try host.catchUp() }
            }
        }
    }
}
