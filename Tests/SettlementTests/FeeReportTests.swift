import EthCrypto
import EventModel
import Foundation
import Payments
import Projections
import Testing
import TestSupport
@testable import Settlement

/// Every figure in the fee reports reconciles exactly with the chain's balances.
@Suite("fee reports")
struct FeeReportTests {
    @Test("by orchestrator, delegator and round: totals agree, and each account's balance change is its share to the wei")
    func reconciles() throws {
        var fixture = try ChainFixture(deposit: UInt256(50_000_000), reserve: UInt256(50_000_000))
        var random = SplitMix64(seed: 11)
        var gasPaid: [Address: UInt256] = [:]
        let startBalances = Dictionary(uniqueKeysWithValues: (fixture.orchestrators + [fixture.delegator]).map { ($0, fixture.chain.balance($0)) })
        var nonce: UInt32 = 0
        for _ in 0..<5 {
            for _ in 0..<6 {
                let orchestrator = fixture.orchestrators[random.below(2)]
                let tickets = try (0..<(1 + random.below(3))).map { _ -> SignedTicket in
                    nonce += 1
                    return try fixture.ticket(to: orchestrator, faceValue: UInt256(UInt64(10_000 + random.below(90_000))), nonce: nonce)
                }
                let receipt = fixture.chain.execute(.redeem(tickets), from: orchestrator, gasPrice: fixture.gasPrice)
                gasPaid[orchestrator] = try (gasPaid[orchestrator] ?? .zero) + receipt.gasCost
            }
            fixture.chain.advance(blocks: 10)
        }
        let chain = fixture.chain
        let byOrchestrator = FeeReport(chain: chain, by: .orchestrator)
        let byRound = FeeReport(chain: chain, by: .round)
        let byDelegator = FeeReport(chain: chain, by: .delegator)
        #expect(byRound.rows.count == 5)
        #expect(byOrchestrator.total.fees == byRound.total.fees)
        #expect(byOrchestrator.total.delegatorShare == byDelegator.total.fees)
        #expect(try byOrchestrator.total.orchestratorShare + byOrchestrator.total.delegatorShare == byOrchestrator.total.fees)
        // What left the broadcaster's deposit and reserve is exactly the fees reported.
        let funds = chain.sender(fixture.broadcaster.address)
        #expect(try UInt256(100_000_000) - funds.deposit - funds.reserve == byOrchestrator.total.fees)
        // Each orchestrator's balance moved by its share less the gas it paid; the delegator's by its share.
        for row in byOrchestrator.rows {
            let orchestrator = try Address(row.key)
            let expected = try startBalances[orchestrator]! + row.orchestratorShare - (gasPaid[orchestrator] ?? .zero)
            #expect(chain.balance(orchestrator) == expected, "\(row.key)")
            #expect(row.gasCost == gasPaid[orchestrator])
        }
        let delegatorRow = try #require(byDelegator.rows.first { $0.key == fixture.delegator.checksummed })
        #expect(chain.balance(fixture.delegator) == (try startBalances[fixture.delegator]! + delegatorRow.fees))
        #expect(FeeReport(chain: chain, by: .round, fromRound: 2, toRound: 3).rows.map(\.key) == ["2", "3"])
        // The CSV's total line carries the same figure.
        #expect(byOrchestrator.csv.split(separator: "\n").last?.hasPrefix("total,\(byOrchestrator.total.fees),") == true)
        #expect(FeeReportHTML.render(byRound).contains("<svg"))
        #expect(chain.isConserved)
    }

    @Test("streamflow report fees on a drill's data: table, csv, json and html agree")
    func cli() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let drill = try SettlementDrill(directory: directory, seed: 9)
        drill.start()
        for _ in 0..<4 {
            try await drill.pay(tickets: 5)
            _ = try await drill.service.step(gasPrice: .one)
        }
        let fees = FeeReport(chain: drill.chain.state, by: .orchestrator).total.fees
        // The same figures folded from the log's receipts, every grouping, to the wei.
        let ledger = try drill.host.state(of: FeeLedgerProjection.self)
        for grouping in [FeeReport.Grouping.orchestrator, .delegator, .round] {
            let fromLog = FeeReport(ledger: ledger, by: grouping), fromChain = FeeReport(chain: drill.chain.state, by: grouping)
            #expect(FeeReconciliation.differences(log: fromLog, chain: fromChain).isEmpty, "\(grouping)")
            #expect(fromLog.rows == fromChain.rows, "\(grouping)")
        }
        await drill.close()
        #expect(!fees.isZero)
        let csv = try StreamflowExecutable.run(["report", "fees", "--data", directory, "--by", "orchestrator", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.contains("total,\(fees),"))
        #expect(csv.stderr.contains("equal to the wei"), "\(csv.stderr)")
        let json = try StreamflowExecutable.run(["report", "fees", "--data", directory, "--by", "round", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["total"] as? [String: Any])?["fees"] as? String == fees.description)
        let html = try StreamflowExecutable.run(["report", "fees", "--data", directory, "--format", "html"])
        #expect(html.stdout.contains("<svg") && html.stdout.contains(fees.description))
        let missing = try StreamflowExecutable.run(["report", "fees", "--data", directory + "/nope"])
        #expect(missing.status == 1 && missing.stderr.contains("no event log"), "\(missing.stderr)")
    }
}
