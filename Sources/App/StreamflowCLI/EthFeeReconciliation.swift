import ArgumentParser
import EthCrypto
import EthereumRPC
import EthereumSettlement
import Foundation
import Settlement

/// `report fees --eth-rpc`: each orchestrator's fees and tickets in the log against what Livepeer's TicketBroker paid it
/// (its `WinningTicketTransfer` and `WinningTicketRedeemed` logs), to the wei; exit 2 on a difference.
enum EthFeeReconciliation {
    /// The comparison: what differs (empty when equal to the wei), and per orchestrator what the chain paid.
    struct Outcome {
        var differences: [String] = []
        var lines: [String] = []
        var chain = ""
        /// Wei the TicketBroker paid and tickets it redeemed, over every orchestrator of the report.
        var paid = UInt256.zero
        var tickets = 0
        var transactions = 0
    }

    static func check(_ report: FeeReport, rpc: String, controller: Address, fromBlock: UInt64) async throws {
        let node = EthereumNode(rpc: JSONRPCClient(url: rpc))
        let reader: LivepeerReader
        do { reader = LivepeerReader(node: node, deployment: try await LivepeerDeployment.resolve(node: node, controller: controller)) } catch {
            throw CLIError("--eth-rpc: \(error)")
        }
        let outcome = try await compare(report, reader: reader, fromBlock: fromBlock)
        if outcome.differences.isEmpty {
            FileHandle.standardError.write(Data(("reconciled with \(outcome.chain): equal to the wei\n"
                + outcome.lines.map { "  \($0)\n" }.joined()).utf8))
        } else {
            FileHandle.standardError.write(Data(("the log and \(outcome.chain) DIFFER:\n" + outcome.differences.map { "  \($0)\n" }.joined()).utf8))
            throw ExitCode(2)
        }
    }

    /// Compares `report` (by orchestrator) with the TicketBroker's logs from `fromBlock` on.
    static func compare(_ report: FeeReport, reader: LivepeerReader, fromBlock: UInt64) async throws -> Outcome {
        let audit = LivepeerFeeAudit(reader: reader)
        var outcome = Outcome()
        for row in report.rows {
            guard let orchestrator = try? Address(row.key) else { continue }
            let settled: LivepeerFeeAudit.Settled
            do { settled = try await audit.settled(recipient: orchestrator, fromBlock: fromBlock) } catch { throw CLIError("--eth-rpc: \(error)") }
            if settled.amount != row.fees {
                outcome.differences.append("\(row.key): the log has \(row.fees) wei of fees, the TicketBroker paid \(settled.amount) wei")
            }
            if settled.tickets != row.tickets {
                outcome.differences.append("\(row.key): the log has \(row.tickets) tickets paid, the TicketBroker redeemed \(settled.tickets)")
            }
            outcome.paid = (try? outcome.paid + settled.amount) ?? .max
            outcome.tickets += settled.tickets
            outcome.transactions += settled.transactions.count
            outcome.lines.append("\(row.key): \(settled.amount) wei for \(settled.tickets) tickets in \(settled.transactions.count) transactions "
                                 + "(blocks \(fromBlock)–\(settled.throughBlock))")
        }
        outcome.chain = "the TicketBroker at \(reader.deployment.ticketBroker.checksummed) (chain \(reader.deployment.chainID))"
        return outcome
    }
}
