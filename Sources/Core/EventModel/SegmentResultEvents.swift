public import JSONCore

// The segments family's answers from an orchestrator: renditions returned (topic `transcode-results`) and requests
// refused (topic `segments`).

/// One rendition of a returned segment, as `segment.transcoded` lists it.
public struct SegmentRendition: Sendable, Equatable {
    public var profile: String
    public var width: Int64
    public var height: Int64
    public var frames: Int64?
    public var pixels: Int64
    /// 32 bytes, 0x-hex.
    public var dataHash: String
    public var url: String?

    public init(profile: String, width: Int64, height: Int64, frames: Int64? = nil, pixels: Int64, dataHash: String, url: String? = nil) {
        (self.profile, self.width, self.height, self.frames, self.pixels, self.dataHash, self.url) =
            (profile, width, height, frames, pixels, dataHash, url)
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["profile": .string(profile), "width": .integer(width), "height": .integer(height),
                                           "pixels": .integer(pixels), "dataHash": .string(dataHash)]
        if let frames { fields["frames"] = .integer(frames) }
        if let url { fields["url"] = .string(url) }
        return .object(fields)
    }

    init(reader: PayloadReader) throws(TypedEventError) {
        profile = try reader.string("profile")
        width = try reader.int("width")
        height = try reader.int("height")
        frames = try reader.optional("frames", reader.int)
        pixels = try reader.int("pixels")
        dataHash = try reader.string("dataHash")
        url = try reader.optional("url", reader.string)
    }
}

/// `segment.transcoded` v1: an orchestrator returned renditions of a segment, signed over their bytes.
public struct SegmentTranscoded: TypedEvent {
    public static let type = "segment.transcoded"
    public static let version = 1
    public static let topic = Topic.transcodeResults
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var seq: Int64
    public var orchestrator: String
    public var renditions: [SegmentRendition]
    /// The orchestrator's signature, 0x-hex.
    public var sig: String
    public var transcoder: String?
    public var elapsedMs: Int64?

    public init(seq: Int64, orchestrator: String, renditions: [SegmentRendition], sig: String, transcoder: String? = nil,
                elapsedMs: Int64? = nil) {
        (self.seq, self.orchestrator, self.renditions, self.sig, self.transcoder, self.elapsedMs) =
            (seq, orchestrator, renditions, sig, transcoder, elapsedMs)
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["seq": .integer(seq), "orchestrator": .string(orchestrator), "sig": .string(sig),
                                           "renditions": .array(renditions.map(\.json))]
        if let transcoder { fields["transcoder"] = .string(transcoder) }
        if let elapsedMs { fields["elapsedMs"] = .integer(elapsedMs) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        seq = try payload.int("seq")
        orchestrator = try payload.string("orchestrator")
        var renditions: [SegmentRendition] = []
        for item in try payload.objects("renditions") { renditions.append(try SegmentRendition(reader: item)) }
        self.renditions = renditions
        sig = try payload.string("sig")
        transcoder = try payload.optional("transcoder", payload.string)
        elapsedMs = try payload.optional("elapsedMs", payload.int)
    }
}

/// `segment.refused` v1: an orchestrator refused a segment request, with the HTTP status it answered and the typed reason.
public struct SegmentRefused: TypedEvent {
    public static let type = "segment.refused"
    public static let version = 1
    public static let topic = Topic.segments
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var seq: Int64?
    public var status: Int64
    /// One of the schema's reasons (unparsable-payment, over-capacity, payment-failed, …).
    public var reason: String
    public var detail: String
    public var sender: String?

    public init(seq: Int64?, status: Int64, reason: String, detail: String, sender: String?) {
        (self.seq, self.status, self.reason, self.sender) = (seq, status, reason, sender)
        self.detail = String(detail.prefix(1_000))
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["status": .integer(status), "reason": .string(reason), "detail": .string(detail)]
        if let seq { fields["seq"] = .integer(seq) }
        if let sender { fields["sender"] = .string(sender) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        seq = try payload.optional("seq", payload.int)
        status = try payload.int("status")
        reason = try payload.string("reason")
        detail = try payload.string("detail")
        sender = try payload.optional("sender", payload.string)
    }
}
