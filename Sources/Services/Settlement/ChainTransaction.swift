public import EthCrypto
public import Payments

/// What an account can ask the embedded chain to do. `mint` and `stake` are genesis operations (the
/// simulation's faucet for ETH and LPT); the rest follow Livepeer's TicketBroker and BondingManager.
public enum ChainTransaction: Sendable, Hashable {
    case mint(to: Address, amount: UInt256)
    case stake(delegator: Address, transcoder: Address, amount: UInt256)
    case fundDeposit(UInt256)
    case fundReserve(UInt256)
    case unlock
    case cancelUnlock
    case withdraw
    case registerTranscoder(rewardCut: UInt64, feeShare: UInt64)
    /// ServiceRegistry.setServiceURI: where broadcasters reach this orchestrator (its gRPC/HTTP address).
    case setServiceURI(String)
    /// batchRedeemWinningTickets: each ticket is checked and paid on its own; one failing does not revert the rest.
    case redeem([SignedTicket])
    /// Claim this round's LPT reward (an active transcoder, once per round).
    case reward
}

/// Why the chain refused a transaction as a whole.
public enum ChainRejection: String, Error, Sendable, Hashable, Codable {
    case insufficientFunds = "insufficient-funds"
    case insufficientGasFunds = "insufficient-gas-funds"
    case notUnlocked = "not-unlocked"
    case unlockPending = "unlock-pending"
    case nothingToWithdraw = "nothing-to-withdraw"
    case invalidCut = "invalid-cut"
    case notTranscoder = "not-transcoder"
    case notActive = "not-active"
    case alreadyRewarded = "already-rewarded"
    case emptyBatch = "empty-batch"
    case invalidServiceURI = "invalid-service-uri"
    case zeroAmount = "zero-amount"
}

/// Why one ticket of a redemption was refused (the rest of the batch goes on).
public enum RedemptionRejection: String, Error, Sendable, Hashable, Codable {
    case notRecipient = "not-recipient"
    case badSignature = "bad-signature"
    case missingReveal = "missing-reveal"
    case wrongReveal = "wrong-reveal"
    case alreadyUsed = "already-used"
    case roundInvalid = "round-invalid"
    case blockHashMismatch = "block-hash-mismatch"
    case notWinning = "not-winning"
}

/// One ticket's outcome in a redemption: paid (from deposit and reserve; the part unpaid when funds ran
/// short) or refused with its reason.
public struct TicketRedemption: Sendable, Hashable, Codable {
    public let ticketHash: Hash32
    public let sender: Address
    public let faceValue: UInt256
    public let fromDeposit: UInt256
    public let fromReserve: UInt256
    public let rejection: RedemptionRejection?

    public var paid: UInt256 { (try? fromDeposit + fromReserve) ?? .max }
    public var unpaid: UInt256 { (try? faceValue - paid) ?? .zero }
}

/// What a transaction did: accepted or refused, gas used and its cost, and each ticket's outcome.
public struct ChainReceipt: Sendable, Hashable, Codable {
    public let block: UInt64
    public let rejection: ChainRejection?
    public let gasUsed: UInt64
    public let gasCost: UInt256
    public let redemptions: [TicketRedemption]
    /// The gas price the transaction paid (absent in receipts stored before it was recorded).
    public var gasPrice: UInt256? = nil
    /// A redemption's fees as the chain's fee ledger credited them (absent for other transactions).
    public var fees: FeeSplit? = nil

    public var accepted: Bool { rejection == nil }
}

/// What one redemption transaction added to the chain's fee ledger: the round, the face value paid, the split
/// between the orchestrator and each delegator, and the tickets that paid (a ticket paying nothing is not counted).
public struct FeeSplit: Sendable, Hashable, Codable {
    public var round: Int64
    public var amount: UInt256
    public var orchestratorShare: UInt256
    public var delegatorShare: UInt256
    public var tickets: Int
    /// Delegator address (checksummed) → wei.
    public var delegators: [String: UInt256]

    /// The difference between a round's fee ledger entry before and after a transaction.
    init(round: Int64, before: ChainState.RoundFees, after: ChainState.RoundFees) {
        self.round = round
        amount = (try? after.total - before.total) ?? .zero
        orchestratorShare = (try? after.orchestratorShare - before.orchestratorShare) ?? .zero
        delegatorShare = (try? after.delegatorShare - before.delegatorShare) ?? .zero
        tickets = after.tickets - before.tickets
        var delegators: [String: UInt256] = [:]
        for (delegator, total) in after.delegators {
            let part = (try? total - (before.delegators[delegator] ?? .zero)) ?? .zero
            if !part.isZero { delegators[delegator] = part }
        }
        self.delegators = delegators
    }
}
