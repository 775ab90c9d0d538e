public import EthCrypto
public import JSONCore

/// `redemption.confirmed` v1: a redemption transaction mined, as logs written before the fee split state it (no round,
/// price or split). Still read: a consumer of confirmations takes either version (`RedemptionConfirmation`).
public struct RedemptionConfirmedV1: TypedEvent {
    public static let type = RedemptionConfirmed.type
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var txHash: Hash32
    public var block: UInt64
    public var gasUsed: UInt64
    public var gasCost: UInt256
    public var redeemed: Int
    public var amount: UInt256

    public init(txHash: Hash32, block: UInt64, gasUsed: UInt64, gasCost: UInt256, redeemed: Int, amount: UInt256) {
        (self.txHash, self.block, self.gasUsed, self.gasCost, self.redeemed, self.amount) = (txHash, block, gasUsed, gasCost, redeemed, amount)
    }

    public var payload: JSONValue {
        ["txHash": .string(txHash.hex), "block": .integer(Int64(clamping: block)), "gasUsed": .integer(Int64(clamping: gasUsed)),
         "gasCost": .string(gasCost.description), "redeemed": .integer(Int64(redeemed)), "amount": .string(amount.description)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        txHash = try payload.hash("txHash")
        block = try payload.count("block")
        gasUsed = try payload.count("gasUsed")
        gasCost = try payload.uint256("gasCost")
        redeemed = Int(try payload.count("redeemed"))
        amount = try payload.uint256("amount")
    }
}

/// A `redemption.confirmed` of either version: v2 says the round and the fee split, v1 only the transaction and totals.
public enum RedemptionConfirmation: Sendable, Equatable {
    case v1(RedemptionConfirmedV1)
    case v2(RedemptionConfirmed)

    /// The confirmation `envelope` carries, of whichever version (nil for another event; a payload that does not fit throws).
    public static func decoded(from envelope: EventEnvelope) throws(TypedEventError) -> Self? {
        if let confirmed = try RedemptionConfirmed.decoded(from: envelope) { return .v2(confirmed) }
        if let confirmed = try RedemptionConfirmedV1.decoded(from: envelope) { return .v1(confirmed) }
        return nil
    }

    public var txHash: Hash32 {
        switch self {
        case .v1(let event): event.txHash
        case .v2(let event): event.receipt.txHash
        }
    }

    public var block: UInt64 {
        switch self {
        case .v1(let event): event.block
        case .v2(let event): event.receipt.block
        }
    }

    public var gasUsed: UInt64 {
        switch self {
        case .v1(let event): event.gasUsed
        case .v2(let event): event.receipt.gasUsed
        }
    }

    public var gasCost: UInt256 {
        switch self {
        case .v1(let event): event.gasCost
        case .v2(let event): event.receipt.gasCost
        }
    }

    public var redeemed: Int {
        switch self {
        case .v1(let event): event.redeemed
        case .v2(let event): event.redeemed
        }
    }

    public var amount: UInt256 {
        switch self {
        case .v1(let event): event.amount
        case .v2(let event): event.amount
        }
    }
}
