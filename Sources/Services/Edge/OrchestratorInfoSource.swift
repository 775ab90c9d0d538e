public import EthCrypto
import Foundation
public import Orchestrator
public import Payments
public import Wire

/// GetOrchestrator's answer for a sender, shared by the gRPC service and the HTTP route: the node's info with a
/// fresh seed, the chain as the orchestrator sees it now and the sender's funds.
public struct OrchestratorInfoSource: Sendable {
    public let node: OrchestratorNode
    public let context: @Sendable () -> ValidationContext
    public let now: @Sendable () -> Int64
    public let funds: @Sendable (Address) -> SenderFunds

    /// Funds assumed for every sender until the node reads them from a chain: 1 ETH deposit and reserve.
    public static let assumedFunds: @Sendable (Address) -> SenderFunds = { _ in
        SenderFunds(deposit: UInt256(1_000_000_000_000_000_000), reserve: UInt256(1_000_000_000_000_000_000))
    }

    public init(node: OrchestratorNode, context: @escaping @Sendable () -> ValidationContext,
                now: @escaping @Sendable () -> Int64, funds: @escaping @Sendable (Address) -> SenderFunds = assumedFunds) {
        self.node = node
        self.context = context
        self.now = now
        self.funds = funds
    }

    /// Ticket params, price, address and a new auth token for `sender`.
    public func info(for sender: Address) throws(PaymentError) -> Net_OrchestratorInfo {
        let time = now()
        let seed = Keccak256.hash(Array("\(sender.checksummed)/\(time)/\(UInt64.random(in: 0...UInt64.max))".utf8))
        return try node.orchestratorInfo(sender: sender, funds: funds(sender), activeSetSize: 100, context: context(), now: time,
                                         seed: seed)
    }
}
