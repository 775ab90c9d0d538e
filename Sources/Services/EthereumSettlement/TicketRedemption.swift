public import EthCrypto
public import EthereumRPC
public import Payments

/// What became of one winning ticket in a redemption pass.
public enum TicketOutcome: Sendable, Hashable {
    /// Paid by `transaction`: `amount` wei moved from the sender's deposit and reserve to the recipient's fees.
    case paid(amount: UInt256, transaction: Hash32)
    /// The TicketBroker will not pay it (checked before sending, or diagnosed after a batch skipped it).
    case refused(TicketRefusal)
    /// Valid, but the batch skipped it (e.g. out of gas inside the batch): try again.
    case retry(String)
}

/// Whether the TicketBroker would pay a ticket now, or its refusal.
public enum TicketCheck: Sendable, Hashable {
    case payable
    case refused(TicketRefusal)
}

/// One redemption pass: the transaction (if one was sent) and every ticket's outcome.
public struct RedemptionResult: Sendable {
    public var outcomes: [Hash32: TicketOutcome] = [:]
    public var receipt: EthereumReceipt?
    /// The gas limit the batch was sent with (a single redemption's estimate times the tickets, capped).
    public var gasLimit: UInt64 = 0
    /// Every signed version of the transaction that was broadcast (replacements included); the receipt names the mined one.
    public var versions: [Hash32] = []
    /// The tickets the transaction carried (the others in `outcomes` were refused before it was sent).
    public var batch: [Hash32] = []

    public init(outcomes: [Hash32: TicketOutcome] = [:], receipt: EthereumReceipt? = nil, gasLimit: UInt64 = 0, versions: [Hash32] = [],
                batch: [Hash32] = []) {
        self.outcomes = outcomes
        self.receipt = receipt
        self.gasLimit = gasLimit
        self.versions = versions
        self.batch = batch
    }

    public var paid: [Hash32: UInt256] {
        outcomes.compactMapValues { if case .paid(let amount, _) = $0 { amount } else { nil } }
    }
    public var paidTotal: UInt256 { paid.values.reduce(UInt256.zero) { (try? $0 + $1) ?? .max } }
}
