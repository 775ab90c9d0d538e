public import EthCrypto
import Foundation
public import Orchestrator
public import Payments
public import Wire

/// GetOrchestrator's answer for a sender, shared by the gRPC service and the HTTP route: the node's info with a
/// fresh seed, the chain as the orchestrator sees it now and the sender's funds (the node's `senderFunds` unless given).
public struct OrchestratorInfoSource: Sendable {
    public let node: OrchestratorNode
    public let context: @Sendable () -> ValidationContext
    public let now: @Sendable () -> Int64
    public let funds: @Sendable (Address) -> SenderFunds

    public init(node: OrchestratorNode, context: @escaping @Sendable () -> ValidationContext,
                now: @escaping @Sendable () -> Int64, funds: (@Sendable (Address) -> SenderFunds)? = nil) {
        self.node = node
        self.context = context
        self.now = now
        self.funds = funds ?? node.senderFunds.read
    }

    /// `info(for:)` after the sender's funds are brought up to date (a GetOrchestrator: the params it offers are sized by them).
    public func freshInfo(for sender: Address) async throws(PaymentError) -> Net_OrchestratorInfo {
        await node.senderFunds.refresh(sender)
        return try info(for: sender)
    }

    /// Ticket params, price, address and a new auth token for `sender`.
    public func info(for sender: Address) throws(PaymentError) -> Net_OrchestratorInfo {
        let time = now()
        let seed = Keccak256.hash(Array("\(sender.checksummed)/\(time)/\(UInt64.random(in: 0...UInt64.max))".utf8))
        return try node.orchestratorInfo(sender: sender, funds: funds(sender), activeSetSize: 100, context: context(), now: time,
                                         seed: seed)
    }
}
