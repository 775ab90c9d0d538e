/// Why one attempt at a segment failed, classified as `segment.failed` and `orchestrator.suspended` name it,
/// with the verification evidence when a check failed.
public struct AttemptFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case unreachable
        case timeout
        case capped
        case paymentRefused = "payment-refused"
        case errorReply = "error-reply"
        case verificationFailed = "verification-failed"
    }

    public let kind: Kind
    public let detail: String
    /// Set when a check of the result failed: which one, and what it saw.
    public let verification: VerificationEvidence?

    public init(_ kind: Kind, _ detail: String, verification: VerificationEvidence? = nil) {
        self.kind = kind
        self.detail = detail
        self.verification = verification
    }

    public var description: String { "\(kind.rawValue): \(detail)" }

    /// A refusal's status mapped to its kind: OrchestratorCapped is capacity; 400/402 are payment.
    static func refused(status: Int, body: String) -> AttemptFailure {
        if body.contains("OrchestratorCapped") { return AttemptFailure(.capped, "\(status) \(body)") }
        if status == 400 || status == 402 { return AttemptFailure(.paymentRefused, "\(status) \(body)") }
        return AttemptFailure(.errorReply, "\(status) \(body)")
    }
}

/// What a failed check saw, kept in the `verification.failed` event so the dispute can be replayed.
public struct VerificationEvidence: Sendable {
    public let check: String
    public let segmentHash: String
    public let resultSig: String?
    public let renditionHashes: [String]
    public let reportedPixels: Int64?
    public let measuredPixels: Int64?
    public let psnrMillidecibels: Int64?
    public let detail: String
}
