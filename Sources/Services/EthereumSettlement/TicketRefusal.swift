/// Why the TicketBroker will not pay a ticket, from its revert reason (livepeer/protocol's TicketBroker and
/// MixinTicketProcessor `require` messages); anything else keeps the contract's words.
public enum TicketRefusal: Sendable, Hashable, CustomStringConvertible {
    /// "ticket is used": paid (or skipped) before, by this redeemer or anyone holding the ticket.
    case alreadyUsed
    /// "ticket is expired": its creation round is older than the validity period.
    case expired
    case notWinning
    case invalidSignature
    case recipientRandMismatch
    /// "sender deposit and reserve are zero".
    case senderFundsExhausted
    /// The creation round has no block hash yet, or the current round is not initialised.
    case roundNotReady(String)
    /// "system is paused": the Controller is paused (an upgrade or an emergency); nothing redeems until it is not.
    case systemPaused
    case reverted(String)

    public init(revertReason reason: String) {
        let text = reason.lowercased()
        if text.contains("ticket is used") { self = .alreadyUsed }
        else if text.contains("expired") { self = .expired }
        else if text.contains("did not win") { self = .notWinning }
        else if text.contains("signature") { self = .invalidSignature }
        else if text.contains("recipientrand") { self = .recipientRandMismatch }
        else if text.contains("deposit and reserve are zero") { self = .senderFundsExhausted }
        else if text.contains("block hash") || text.contains("not initialized") { self = .roundNotReady(reason) }
        else if text.contains("system is paused") { self = .systemPaused }
        else { self = .reverted(reason) }
    }

    /// A stable kebab-case name for events and metrics.
    public var code: String {
        switch self {
        case .alreadyUsed: "already-used"
        case .expired: "expired"
        case .notWinning: "not-winning"
        case .invalidSignature: "invalid-signature"
        case .recipientRandMismatch: "recipient-rand-mismatch"
        case .senderFundsExhausted: "sender-funds-exhausted"
        case .roundNotReady: "round-not-ready"
        case .systemPaused: "system-paused"
        case .reverted: "reverted"
        }
    }

    /// Whether the same ticket may be paid later (a round that is not ready yet, or a paused system).
    public var isTransient: Bool {
        switch self {
        case .roundNotReady, .systemPaused: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .roundNotReady(let reason), .reverted(let reason): "\(code): \(reason)"
        default: code
        }
    }
}
