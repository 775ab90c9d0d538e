extension SegmentRefusal {
    /// A short, stable token for the refusal: the `reason` label of the refused-segments metric and log lines.
    public var reason: String {
        switch self {
        case .unparsablePayment: "unparsable-payment"
        case .unparsableSegment: "unparsable-segment"
        case .badSegmentSignature: "bad-segment-signature"
        case .badAuthToken: "bad-auth-token"
        case .overCapacity: "over-capacity"
        case .paymentFailed: "payment-failed"
        case .creditBelowTicketEV: "credit-below-ticket-ev"
        case .hashMismatch: "hash-mismatch"
        }
    }
}
