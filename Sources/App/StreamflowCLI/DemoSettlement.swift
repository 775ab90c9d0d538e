import EthCrypto
import Foundation
import Projections
import Settlement

/// The demo's settlement section: an orchestrator's winning tickets redeemed in batches on the embedded
/// chain, the fee report that reconciles with it, and a small run of the settlement simulation.
enum DemoSettlement {
    static func run(directory: URL) async throws {
        print("\n7. Settlement: winning tickets redeemed in batches on the embedded chain")
        let drill = try SettlementDrill(directory: directory.appendingPathComponent("node").path, seed: 42)
        drill.start()
        var redeemed = 0, transactions = 0
        for _ in 0..<5 {
            try await drill.pay(tickets: 8)
            let step = try await drill.service.step(gasPrice: .one)
            redeemed += step.redeemed
            if step.transactionID != nil { transactions += 1 }
        }
        let state = drill.chain.state
        let ledger = try drill.host.state(of: FeeLedgerProjection.self)
        await drill.close()
        print("   \(redeemed) winning tickets redeemed in \(transactions) transactions; money conserved: \(state.isConserved ? "yes" : "NO")")
        let report = FeeReport(ledger: ledger, by: .orchestrator)
        let differences = FeeReconciliation.differences(log: report, chain: FeeReport(chain: state, by: .orchestrator))
        print("   fees by orchestrator (wei), from the log; \(differences.isEmpty ? "equal to the chain's to the wei" : "DIFFER from the chain's")")
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
