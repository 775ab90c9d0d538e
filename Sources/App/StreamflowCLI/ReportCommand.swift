import ArgumentParser
import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
import Settlement

/// `streamflow report fees`: finance's view of the fee ledger, reconciled with the chain.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Reports over a node's chain and log.", subcommands: [Fees.self])

    struct Fees: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fees by orchestrator, delegator, round or stream (DATA/chain; streams from DATA/log).")

        @Option(help: "The node's data directory (holds chain/ and log/).") var data: String
        @Option(help: "orchestrator, delegator, round or stream.") var by = "orchestrator"
        @Option(help: "First round included.") var from: Int64?
        @Option(help: "Last round included.") var to: Int64?
        @Option(help: "table, csv, json or html.") var format = "table"

        func run() throws {
            guard let grouping = FeeReport.Grouping(rawValue: by) else {
                throw CLIError("--by must be orchestrator, delegator, round or stream")
            }
            let chain = try LocalChain.existing(directory: data + "/chain")
            var charges: [String: UInt256] = [:]
            if grouping == .stream {
                let log = try EventLog(directory: data + "/log", options: { var o = EventLog.Options(); o.readOnly = true; return o }())
                defer { log.close() }
                try log.scan(topic: .tickets) { stored in
                    let envelope = try stored.record().envelope
                    guard envelope.type == "fee.debited" else { return true }
                    let key = envelope.keys.stream ?? envelope.keys.session ?? "unknown"
                    let fee = (try? UInt256(decimal: envelope.payload["fee"]?.stringValue ?? "0")) ?? .zero
                    charges[key] = (try? (charges[key] ?? .zero) + fee) ?? .max
                    return true
                }
            }
            let report = FeeReport(chain: chain.state, by: grouping, fromRound: from, toRound: to, streamCharges: charges)
            switch format {
            case "table": print(report.table, terminator: "")
            case "csv": print(report.csv, terminator: "")
            case "json":
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            case "html": print(FeeReportHTML.render(report))
            default: throw CLIError("--format must be table, csv, json or html")
            }
        }
    }
}
