import ArgumentParser
import EthCrypto
import EthereumRPC
import EthereumSettlement
import Foundation
import Settlement

/// `report fees --eth-rpc`: each orchestrator's fees and tickets in the log against what Livepeer's TicketBroker paid it
/// (its `WinningTicketTransfer` and `WinningTicketRedeemed` logs), to the wei; exit 2 on a difference.
enum EthFeeReconciliation {
    static func check(_ report: FeeReport, rpc: String, controller: Address, fromBlock: UInt64) async throws {
        let node = EthereumNode(rpc: JSONRPCClient(url: rpc))
        let reader: LivepeerReader
        do { reader = LivepeerReader(node: node, deployment: try await LivepeerDeployment.resolve(node: node, controller: controller)) } catch {
            throw CLIError("--eth-rpc: \(error)")
        }
        let audit = LivepeerFeeAudit(reader: reader)
        var differences: [String] = []
        var lines: [String] = []
        for row in report.rows {
            guard let orchestrator = try? Address(row.key) else { continue }
            let settled: LivepeerFeeAudit.Settled
            do { settled = try await audit.settled(recipient: orchestrator, fromBlock: fromBlock) } catch { throw CLIError("--eth-rpc: \(error)") }
            if settled.amount != row.fees {
                differences.append("\(row.key): the log has \(row.fees) wei of fees, the TicketBroker paid \(settled.amount) wei")
            }
            if settled.tickets != row.tickets {
                differences.append("\(row.key): the log has \(row.tickets) tickets paid, the TicketBroker redeemed \(settled.tickets)")
            }
            lines.append("\(row.key): \(settled.amount) wei for \(settled.tickets) tickets in \(settled.transactions.count) transactions "
                         + "(blocks \(fromBlock)–\(settled.throughBlock))")
        }
        let chain = "the TicketBroker at \(reader.deployment.ticketBroker.checksummed) (chain \(reader.deployment.chainID))"
        if differences.isEmpty {
            FileHandle.standardError.write(Data(("reconciled with \(chain): equal to the wei\n" + lines.map { "  \($0)\n" }.joined()).utf8))
        } else {
            FileHandle.standardError.write(Data(("the log and \(chain) DIFFER:\n" + differences.map { "  \($0)\n" }.joined()).utf8))
            throw ExitCode(2)
        }
    }
}
