/// Why a payment could not be built or parameters could not be issued: a typed reason with a readable detail.
public enum PaymentError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidPrice(String)
    case arithmetic(String)
    /// Face value would be below the redemption's transaction cost (the sender's float is too small).
    case faceValueBelowTransactionCost(faceValue: String, transactionCost: String)
    /// EV must be below the face value.
    case expectedValueNotBelowFaceValue
    case expectedValueAboveMaximum(ev: String, max: String)
    case totalExpectedValueAboveMaximum(total: String, max: String)
    case faceValueAboveDepositShare(faceValue: String, allowed: String)
    case noDeposit
    case noReserve
    case paramsExpired(expirationBlock: UInt64, currentBlock: UInt64)
    case nonceSpaceExhausted

    public var description: String {
        switch self {
        case .invalidPrice(let detail): "invalid price: \(detail)"
        case .arithmetic(let detail): "arithmetic: \(detail)"
        case .faceValueBelowTransactionCost(let faceValue, let cost):
            "face value \(faceValue) is at or below the transaction cost \(cost)"
        case .expectedValueNotBelowFaceValue: "ticket EV must be below its face value"
        case .expectedValueAboveMaximum(let ev, let max): "ticket EV \(ev) is above the maximum \(max)"
        case .totalExpectedValueAboveMaximum(let total, let max): "total EV \(total) is above the maximum \(max)"
        case .faceValueAboveDepositShare(let faceValue, let allowed):
            "face value \(faceValue) is above deposit / multiplier = \(allowed)"
        case .noDeposit: "the sender has no deposit"
        case .noReserve: "the sender has no reserve"
        case .paramsExpired(let expiration, let current):
            "ticket params expired at block \(expiration); the current block is \(current)"
        case .nonceSpaceExhausted: "no sender nonce is left for these ticket params"
        }
    }
}
