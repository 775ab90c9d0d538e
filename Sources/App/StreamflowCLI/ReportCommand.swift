import ArgumentParser
import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
import Projections
import Settlement

/// `streamflow report fees`: finance's view of the fee ledger, folded from the node's log and reconciled to the
/// wei with the chain that settled it.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Reports over a node's log, reconciled with its chain.", subcommands: [Fees.self])

    struct Fees: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fees by orchestrator, delegator, round or stream, from DATA/log; compared with the chain (DATA/chain or --chain).")

        @Option(help: "The node's data directory (holds log/ and usually chain/).") var data: String
        @Option(help: "orchestrator, delegator, round or stream.") var by = "orchestrator"
        @Option(help: "First round included.") var from: Int64?
        @Option(help: "Last round included.") var to: Int64?
        @Option(help: "table, csv, json or html.") var format = "table"
        @Option(help: "The settlement chain to reconcile with (default: DATA/chain when it exists).") var chain: String?
        @Option(help: "Reconcile with a real chain instead: its JSON-RPC URL (the TicketBroker's event logs, every round).")
        var ethRpc: String?
        @Option(help: "With --eth-rpc: Livepeer's Controller address.") var ethController: String?
        @Option(help: "With --eth-rpc: the first block to read the TicketBroker's logs from.") var ethFromBlock: UInt64 = 0

        func validate() throws {
            guard (ethRpc == nil) == (ethController == nil) else { throw ValidationError("--eth-rpc and --eth-controller go together") }
            if let ethController, (try? Address(ethController)) == nil { throw ValidationError("--eth-controller is not an address") }
        }

        func run() async throws {
            guard let grouping = FeeReport.Grouping(rawValue: by) else {
                throw CLIError("--by must be orchestrator, delegator, round or stream")
            }
            guard ["table", "csv", "json", "html"].contains(format) else { throw CLIError("--format must be table, csv, json or html") }
            let logDirectory = data + "/log", chainDirectory = chain ?? data + "/chain"
            let files = FileManager.default
            guard files.fileExists(atPath: logDirectory + "/data.mdb") else {
                throw CLIError("no event log at \(logDirectory)" + (files.fileExists(atPath: chainDirectory + "/data.mdb")
                    ? "" : " and no settlement chain at \(chainDirectory)"))
            }
            let report = FeeReport(ledger: try Self.ledger(logDirectory: logDirectory), by: grouping, fromRound: from, toRound: to)
            switch format {
            case "table": print(report.table, terminator: "")
            case "csv": print(report.csv, terminator: "")
            case "json":
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            default: print(FeeReportHTML.render(report))
            }
            // The chain is the cross-check: printed to stderr so machine formats stay parseable.
            if let ethRpc, let ethController {
                let byOrchestrator = FeeReport(ledger: try Self.ledger(logDirectory: logDirectory), by: .orchestrator)
                try await EthFeeReconciliation.check(byOrchestrator, rpc: ethRpc, controller: try Address(ethController), fromBlock: ethFromBlock)
                return
            }
            guard grouping != .stream, chain != nil || files.fileExists(atPath: chainDirectory + "/data.mdb") else { return }
            let settled = FeeReport(chain: try LocalChain.existing(directory: chainDirectory).state, by: grouping, fromRound: from, toRound: to)
            let differences = FeeReconciliation.differences(log: report, chain: settled)
            if differences.isEmpty {
                FileHandle.standardError.write(Data("reconciled with the chain at \(chainDirectory): equal to the wei\n".utf8))
            } else {
                FileHandle.standardError.write(Data(("the log and the chain at \(chainDirectory) DIFFER:\n"
                    + differences.map { "  \($0)\n" }.joined()).utf8))
                throw ExitCode(2)
            }
        }

        /// The fee ledger folded from the log: from the node's stored snapshot when it has one, then the rest of the
        /// log, in memory (the log is opened read-only; the node's host owns the stored rows).
        static func ledger(logDirectory: String) throws -> FeeLedgerProjection.State {
            var options = EventLog.Options()
            options.readOnly = true
            let log = try EventLog(directory: logDirectory, options: options)
            defer { log.close() }
            let host = try ProjectionHost(log: log, projections: [FeeLedgerProjection()],
                                          options: ProjectionHostOptions(persists: false))
            try host.catchUp()
            return try host.state(of: FeeLedgerProjection.self)
        }
    }
}
