import EthCrypto
import Foundation
import Settlement

/// The demo's settlement section: an orchestrator's winning tickets redeemed in batches on the embedded
/// chain, the fee report that reconciles with it, and a small run of the settlement simulation.
enum DemoSettlement {
    static func run(directory: URL) throws {
        print("\n7. Settlement: winning tickets redeemed in batches on the embedded chain")
        let drill = try SettlementDrill(directory: directory.appendingPathComponent("node").path, seed: 42)
        defer { drill.close() }
        var redeemed = 0, transactions = 0
        for _ in 0..<5 {
            try drill.pay(tickets: 8)
            let step = try drill.service.step(gasPrice: .one)
            redeemed += step.redeemed
            if step.transactionID != nil { transactions += 1 }
        }
        let state = drill.chain.state
        print("   \(redeemed) winning tickets redeemed in \(transactions) transactions; money conserved: \(state.isConserved ? "yes" : "NO")")
        let report = FeeReport(chain: state, by: .orchestrator)
        print("   fees by orchestrator (wei):")
        for line in report.table.split(separator: "\n") { print("     \(line)") }
        print("\n8. Settlement simulation (2,000 segments, 5 broadcasters, 12 orchestrators, seeded gas model)")
        var parameters = SettlementSimulation.Parameters()
        parameters.broadcasters = 5
        parameters.orchestrators = 12
        parameters.segments = 2_000
        parameters.segmentsPerJob = 50
        let simulation = try SettlementSimulation(parameters: parameters, gas: GasPriceFeed.model(seed: 7, hours: 48)).run()
        for line in SimulationTable.render(simulation).split(separator: "\n", omittingEmptySubsequences: false) { print("   \(line)") }
    }
}
