import ArgumentParser
import EthCrypto
import Foundation
import Settlement

/// `streamflow simulate settlement`: the same workload settled three ways; table, JSON or HTML.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Simulations: the settlement strategies over the embedded chain, and the whole market under seeded faults.", subcommands: [Settlement.self, GasTrace.self, SimulateMarketCommand.self])

    struct GasTrace: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gas-trace", abstract: "Print a seeded gas-price trace (seconds,gwei) with spikes, for --gas-trace.")
        @Option var seed: UInt64 = 7
        @Option var hours: Double = 48
        @Option(help: "Base price in gwei.") var baseGwei: Double = 1

        func run() { print(GasPriceFeed.model(seed: seed, hours: hours, baseGwei: baseGwei).csv, terminator: "") }
    }

    struct Settlement: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settle one seeded workload four ways: the alpha (5 transactions a job), go-livepeer (one ticket a transaction), the batch redeemer, and the batch redeemer not waiting for cheap gas. Gas from Livepeer's TicketBroker as measured.")

        @Option var broadcasters = 50
        @Option var orchestrators = 120
        @Option var segments = 100_000
        @Option(help: "CSV of seconds,gwei (Replay/gas/ has one); a seeded model when omitted.") var gasTrace: String?
        @Option var seed: UInt64 = 1
        @Option(help: "Fee per segment in wei.") var feePerSegment = "2000000000000000"
        @Option(help: "Ticket EV in wei (equal for both ticket strategies).") var ticketEv = "1000000000000000"
        @Option(help: "Segments per alpha job (a broadcaster's session with one orchestrator).") var segmentsPerJob = 100
        @Option(help: "go-livepeer's -maxGasPrice in gwei: its redeemer holds winners while gas is above it (0: none).")
        var goLivepeerMaxGasGwei: Double = 0
        @Option(help: "table, json or html.") var format = "table"

        func run() throws {
            var parameters = SettlementSimulation.Parameters()
            parameters.broadcasters = broadcasters
            parameters.orchestrators = orchestrators
            parameters.segments = segments
            parameters.seed = seed
            parameters.segmentsPerJob = max(1, segmentsPerJob)
            parameters.feePerSegment = try UInt256(decimal: feePerSegment)
            parameters.ticketEV = try UInt256(decimal: ticketEv)
            guard goLivepeerMaxGasGwei >= 0 else { throw CLIError("--go-livepeer-max-gas-gwei must not be negative") }
            if goLivepeerMaxGasGwei > 0 { parameters.goLivepeerMaxGasPrice = UInt256(UInt64(goLivepeerMaxGasGwei * 1e9)) }
            let feed: GasPriceFeed
            if let gasTrace {
                guard let text = try? String(contentsOfFile: gasTrace, encoding: .utf8) else { throw CLIError("cannot read \(gasTrace)") }
                feed = try GasPriceFeed(csv: text)
            } else {
                feed = GasPriceFeed.model(seed: seed, hours: 48)
            }
            let report = try SettlementSimulation(parameters: parameters, gas: feed).run()
            switch format {
            case "json":
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            case "html": print(SimulationHTML.render(report))
            case "table": print(SimulationTable.render(report))
            default: throw CLIError("--format must be table, json or html")
            }
        }
    }
}

/// The simulation as a text table.
enum SimulationTable {
    static func render(_ report: SettlementSimulation.Report) -> String {
        let p = report.parameters
        var lines = [
            "\(p.segments) segments from \(p.broadcasters) broadcasters to \(p.orchestrators) orchestrators (seed \(p.seed))",
            String(format: "median gas %.3f gwei; face value %.4f ETH; ticket EV %.6f ETH; %d tickets, %d winners; fees %.4f ETH",
                   report.medianGasPrice.doubleValue / 1e9, report.faceValue.doubleValue / 1e18, p.ticketEV.doubleValue / 1e18,
                   report.ticketsIssued, report.winners, report.totalFees.doubleValue / 1e18),
            "",
            "strategy".padding(toLength: 44, withPad: " ", startingAt: 0)
                + "   txs      gas (M)   gas ETH    fees ETH   gas/fees   income CV   redeemed  expired  double",
        ]
        for outcome in report.outcomes {
            lines.append(outcome.strategy.padding(toLength: 44, withPad: " ", startingAt: 0) + String(
                format: "%6d %12.1f %9.5f %11.4f %9.3f%% %10.3f %10d %8d %7d", outcome.transactions,
                Double(outcome.gasUsed) / 1e6, outcome.gasCost.doubleValue / 1e18, outcome.feesPaid.doubleValue / 1e18,
                outcome.gasShare * 100, outcome.incomeVariation, outcome.ticketsRedeemed, outcome.ticketsExpired,
                outcome.doubleRedemptions))
        }
        lines.append("")
        lines.append(String(format: "one ticket per transaction ÷ batch redeemer: %.1f× the transactions", report.transactionReduction))
        return lines.joined(separator: "\n")
    }
}

/// The simulation as a self-contained HTML page with bar charts (inline SVG, no scripts).
enum SimulationHTML {
    static func render(_ report: SettlementSimulation.Report) -> String {
        func bars(_ title: String, _ values: [(String, Double)], unit: String) -> String {
            let top = max(values.map(\.1).max() ?? 1, 1e-12)
            var svg = "<h2>\(title)</h2><svg width=\"720\" height=\"\(values.count * 34 + 10)\">"
            for (index, (label, value)) in values.enumerated() {
                let width = 420 * value / top
                let y = index * 34 + 5
                svg += "<text x=\"0\" y=\"\(y + 18)\" font-size=\"12\">\(label)</text>"
                svg += "<rect x=\"260\" y=\"\(y)\" width=\"\(String(format: "%.1f", width))\" height=\"24\" fill=\"#4a7fb5\"/>"
                svg += "<text x=\"\(String(format: "%.1f", 266 + width))\" y=\"\(y + 18)\" font-size=\"12\">\(String(format: "%.4g", value)) \(unit)</text>"
            }
            return svg + "</svg>"
        }
        let names = report.outcomes.map { $0.strategy.components(separatedBy: " (").first ?? $0.strategy }
        let table = "<pre>" + SimulationTable.render(report) + "</pre>"
        return """
            <!doctype html><html><head><meta charset="utf-8"><title>Streamflow settlement simulation</title></head>
            <body style="font-family: sans-serif"><h1>Settlement simulation</h1>\(table)
            \(bars("Transactions", zip(names, report.outcomes).map { ($0, Double($1.transactions)) }, unit: "txs"))
            \(bars("Gas as a share of fees", zip(names, report.outcomes).map { ($0, $1.gasShare * 100) }, unit: "%"))
            \(bars("Income variation across orchestrators", zip(names, report.outcomes).map { ($0, $1.incomeVariation) }, unit: "CV"))
            </body></html>
            """
    }
}
