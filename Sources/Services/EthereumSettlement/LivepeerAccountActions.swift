public import EthCrypto
public import EthereumRPC
import EthABI
import LivepeerABI

/// The account-level transactions an operator makes on Livepeer's contracts, each waited for and typed on failure:
/// a broadcaster funding its deposit and reserve, an orchestrator bonding and registering, fees withdrawn.
public struct LivepeerAccountActions: Sendable {
    public let sender: TransactionSender
    public let deployment: LivepeerDeployment

    public init(sender: TransactionSender, deployment: LivepeerDeployment) {
        self.sender = sender
        self.deployment = deployment
    }

    /// `fundDepositAndReserve(deposit, reserve)` with `deposit + reserve` wei attached.
    public func fund(deposit: UInt256, reserve: UInt256) async throws(EthereumSettlementError) -> EthereumReceipt {
        guard let total = try? deposit + reserve else { throw .encoding("deposit + reserve overflows") }
        return try await sender.invoke(LivepeerFunctions.TicketBroker.fundDepositAndReserve, on: deployment.ticketBroker,
                                       [.uint(deposit), .uint(reserve)], value: total)
    }

    /// What `register` sent, step by step.
    public struct Registration: Sendable {
        public var receipts: [(step: String, receipt: EthereumReceipt)] = []
    }

    /// Bonds `stake` LPT to itself (approve, then bond; skipped when zero), sets its reward cut and fee share (parts
    /// per million), and its service URI. It becomes active from the next initialised round.
    public func register(stake: UInt256, rewardCutPPM: UInt64, feeSharePPM: UInt64, serviceURI: String)
        async throws(EthereumSettlementError) -> Registration {
        guard rewardCutPPM <= 1_000_000, feeSharePPM <= 1_000_000 else { throw .encoding("reward cut and fee share are at most 100%") }
        var registration = Registration()
        if stake > .zero {
            registration.receipts.append(("approve", try await sender.invoke(LivepeerFunctions.LivepeerToken.approve, on: deployment.livepeerToken,
                                                                               [.address(deployment.bondingManager), .uint(stake)])))
            registration.receipts.append(("bond", try await sender.invoke(LivepeerFunctions.BondingManager.bond, on: deployment.bondingManager,
                                                                            [.uint(stake), .address(sender.address)])))
        }
        registration.receipts.append(("transcoder", try await sender.invoke(LivepeerFunctions.BondingManager.transcoder,
                                                                              on: deployment.bondingManager,
                                                                              [.uint(rewardCutPPM), .uint(feeSharePPM)])))
        registration.receipts.append(("setServiceURI", try await sender.invoke(LivepeerFunctions.ServiceRegistry.setServiceURI,
                                                                                 on: deployment.serviceRegistry, [.string(serviceURI)])))
        return registration
    }

    /// `withdrawFees(recipient, amount)`: moves earned fees out of the BondingManager.
    public func withdrawFees(to recipient: Address, amount: UInt256) async throws(EthereumSettlementError) -> EthereumReceipt {
        try await sender.invoke(LivepeerFunctions.BondingManager.withdrawFees, on: deployment.bondingManager,
                                [.address(recipient), .uint(amount)])
    }
}
