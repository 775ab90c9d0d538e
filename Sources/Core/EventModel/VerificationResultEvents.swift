public import JSONCore

// The verification family: the broadcaster's checks of returned renditions (topic `verification`, keyed by stream and
// orchestrator).

/// `verification.passed` v1: every check of a segment's result passed.
public struct VerificationPassed: TypedEvent {
    public static let type = "verification.passed"
    public static let version = 1
    public static let topic = Topic.verification
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var seq: Int64
    public var orchestrator: String
    /// signature, pixels, psnr.
    public var checks: [String]
    public var pixels: Int64?

    public init(seq: Int64, orchestrator: String, checks: [String], pixels: Int64? = nil) {
        (self.seq, self.orchestrator, self.checks, self.pixels) = (seq, orchestrator, checks, pixels)
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["seq": .integer(seq), "orchestrator": .string(orchestrator),
                                           "checks": .array(checks.map { .string($0) })]
        if let pixels { fields["pixels"] = .integer(pixels) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        seq = try payload.int("seq")
        orchestrator = try payload.string("orchestrator")
        checks = try payload.strings("checks")
        pixels = try payload.optional("pixels", payload.int)
    }
}

/// What a failed check keeps: enough to replay the dispute.
public struct FailedCheckEvidence: Sendable, Equatable {
    /// 32 bytes, 0x-hex.
    public var segmentHash: String
    public var resultSig: String?
    public var renditionHashes: [String]?
    public var reportedPixels: Int64?
    public var measuredPixels: Int64?
    public var psnrMillidecibels: Int64?
    public var detail: String?

    public init(segmentHash: String, resultSig: String? = nil, renditionHashes: [String]? = nil, reportedPixels: Int64? = nil,
                measuredPixels: Int64? = nil, psnrMillidecibels: Int64? = nil, detail: String? = nil) {
        (self.segmentHash, self.resultSig, self.renditionHashes) = (segmentHash, resultSig, renditionHashes)
        (self.reportedPixels, self.measuredPixels, self.psnrMillidecibels) = (reportedPixels, measuredPixels, psnrMillidecibels)
        self.detail = detail.map { String($0.prefix(1_000)) }
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["segmentHash": .string(segmentHash)]
        if let resultSig { fields["resultSig"] = .string(resultSig) }
        if let renditionHashes { fields["renditionHashes"] = .array(renditionHashes.map { .string($0) }) }
        if let reportedPixels { fields["reportedPixels"] = .integer(reportedPixels) }
        if let measuredPixels { fields["measuredPixels"] = .integer(measuredPixels) }
        if let psnrMillidecibels { fields["psnrMillidecibels"] = .integer(psnrMillidecibels) }
        if let detail { fields["detail"] = .string(detail) }
        return .object(fields)
    }

    init(reader: PayloadReader) throws(TypedEventError) {
        segmentHash = try reader.string("segmentHash")
        resultSig = try reader.optional("resultSig", reader.string)
        renditionHashes = try reader.optional("renditionHashes", reader.strings)
        reportedPixels = try reader.optional("reportedPixels", reader.int)
        measuredPixels = try reader.optional("measuredPixels", reader.int)
        psnrMillidecibels = try reader.optional("psnrMillidecibels", reader.int)
        detail = try reader.optional("detail", reader.string)
    }
}

/// `verification.failed` v1: a check of a segment's result failed, with the evidence.
public struct VerificationFailed: TypedEvent {
    public static let type = "verification.failed"
    public static let version = 1
    public static let topic = Topic.verification
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var seq: Int64
    public var orchestrator: String
    /// signature, pixels or psnr.
    public var check: String
    public var evidence: FailedCheckEvidence

    public init(seq: Int64, orchestrator: String, check: String, evidence: FailedCheckEvidence) {
        (self.seq, self.orchestrator, self.check, self.evidence) = (seq, orchestrator, check, evidence)
    }

    public var payload: JSONValue {
        ["seq": .integer(seq), "orchestrator": .string(orchestrator), "check": .string(check), "evidence": evidence.json]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        seq = try payload.int("seq")
        orchestrator = try payload.string("orchestrator")
        check = try payload.string("check")
        evidence = try FailedCheckEvidence(reader: payload.object("evidence"))
    }
}
