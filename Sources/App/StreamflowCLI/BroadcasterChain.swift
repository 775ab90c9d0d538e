import EthCrypto
import EthereumRPC
import EthereumSettlement
import Foundation

/// `broadcast --eth-rpc`: what the broadcaster reads from the real chain before it streams — its deposit and reserve
/// on Livepeer's TicketBroker (an empty deposit is refused: no orchestrator would accept its tickets) and the active
/// orchestrators' service URIs (go-livepeer's broadcaster discovers them the same way).
enum BroadcasterChain {
    struct Reading {
        var funds: (deposit: UInt256, reserve: UInt256)
        /// The active orchestrators' service URIs with their total stake (LPT wei, as a double for weighting).
        var stakes: [String: Double]
        var orchestrators: [String] { stakes.keys.sorted() }
    }

    static func read(rpc: String, controller: String, sender: Address) async throws -> Reading {
        let node = EthereumNode(rpc: JSONRPCClient(url: rpc))
        do {
            let reader = LivepeerReader(node: node, deployment: try await LivepeerDeployment.resolve(node: node, controller: try Address(controller)))
            let funds = try await reader.senderFunds(sender)
            guard !funds.deposit.isZero else {
                throw CLIError("\(sender.checksummed) has no deposit on the TicketBroker: fund it first (streamflow eth fund)")
            }
            if !funds.withdrawRound.isZero {
                FileHandle.standardError.write(Data("warning: \(sender.checksummed) is unlocking its deposit (withdrawable from round \(funds.withdrawRound)); orchestrators may refuse its tickets\n".utf8))
            }
            let pool = try await reader.transcoderPool()
            let active = pool.filter { $0.active && !$0.serviceURI.isEmpty }
            let stakes = Dictionary(active.map { ($0.serviceURI, max(1, $0.totalStake.doubleValue)) }, uniquingKeysWith: +)
            FileHandle.standardError.write(Data(("deposit \(funds.deposit) wei, reserve \(funds.reserve) wei; "
                + "\(stakes.count) active orchestrators on the chain\n").utf8))
            return Reading(funds: (funds.deposit, funds.reserve), stakes: stakes)
        } catch let error as EthereumSettlementError {
            throw CLIError("--eth-rpc: \(error)")
        }
    }
}
