/// Why a recipient refused a ticket. The raw values are the `reason` strings of `ticket.rejected` events.
public enum TicketRejectionReason: String, Sendable, Hashable, CaseIterable, Codable {
    case malformed = "malformed"
    case badSignature = "bad-signature"
    case signatureHighS = "signature-high-s"
    case signatureBadV = "signature-bad-v"
    case wrongRecipient = "wrong-recipient"
    case paramsExpired = "params-expired"
    case paramsMismatch = "params-mismatch"
    case roundInvalid = "round-invalid"
    case nonceReplayed = "nonce-replayed"
    case tooManyNonces = "too-many-nonces"
    case zeroWinProb = "zero-win-prob"
    case faceValueBelowTxCost = "face-value-below-tx-cost"
    case insufficientReserve = "insufficient-reserve"
}

/// A refused ticket: the typed reason and a sentence for people.
public struct TicketRejection: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: TicketRejectionReason
    public let detail: String

    public init(_ reason: TicketRejectionReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
