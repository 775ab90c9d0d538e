public import JSONCore

// The segments family's life of a segment at the broadcaster, declared once each (topic `segments`, keyed by stream).
// Orchestrators are named by their address as written (checksummed by the broadcaster).

/// `segment.ingested` v1: a source segment arrived from the broadcaster's ingest.
public struct SegmentIngested: TypedEvent {
    public static let type = "segment.ingested"
    public static let version = 1
    public static let topic = Topic.segments
    public static let requiredKeys: [EventKeys.Kind] = [.stream]

    public var seq: Int64
    public var durationMs: Int64
    public var bytes: Int64
    public var dataHash: String
    public var width: Int64?
    public var height: Int64?

    public init(seq: Int64, durationMs: Int64, bytes: Int64, dataHash: String, width: Int64? = nil, height: Int64? = nil) {
        (self.seq, self.durationMs, self.bytes, self.dataHash, self.width, self.height) = (seq, durationMs, bytes, dataHash, width, height)
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["seq": .integer(seq), "durationMs": .integer(durationMs), "bytes": .integer(bytes),
                                           "dataHash": .string(dataHash)]
        if let width { fields["width"] = .integer(width) }
        if let height { fields["height"] = .integer(height) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        seq = try payload.int("seq")
        durationMs = try payload.int("durationMs")
        bytes = try payload.int("bytes")
        dataHash = try payload.string("dataHash")
        width = try payload.optional("width", payload.int)
        height = try payload.optional("height", payload.int)
    }
}

/// `segment.dispatched` v1: a segment sent to an orchestrator (attempt 1 is the first try), with the tickets paid.
public struct SegmentDispatched: TypedEvent {
    public static let type = "segment.dispatched"
    public static let version = 1
    public static let topic = Topic.segments
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var seq: Int64
    public var orchestrator: String
    public var attempt: Int64
    public var tickets: Int64?
    public var transcoder: String?

    public init(seq: Int64, orchestrator: String, attempt: Int64, tickets: Int64? = nil, transcoder: String? = nil) {
        (self.seq, self.orchestrator, self.attempt, self.tickets, self.transcoder) = (seq, orchestrator, attempt, tickets, transcoder)
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["seq": .integer(seq), "orchestrator": .string(orchestrator), "attempt": .integer(attempt)]
        if let tickets { fields["tickets"] = .integer(tickets) }
        if let transcoder { fields["transcoder"] = .string(transcoder) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        seq = try payload.int("seq")
        orchestrator = try payload.string("orchestrator")
        attempt = try payload.int("attempt")
        tickets = try payload.optional("tickets", payload.int)
        transcoder = try payload.optional("transcoder", payload.string)
    }
}

/// `segment.delivered` v1: verified renditions of a segment went out to the playlist.
public struct SegmentDelivered: TypedEvent {
    public static let type = "segment.delivered"
    public static let version = 1
    public static let topic = Topic.segments
    public static let requiredKeys: [EventKeys.Kind] = [.stream]

    public var seq: Int64
    public var orchestrator: String
    public var latencyMs: Int64

    public init(seq: Int64, orchestrator: String, latencyMs: Int64) {
        (self.seq, self.orchestrator, self.latencyMs) = (seq, orchestrator, latencyMs)
    }

    public var payload: JSONValue { ["seq": .integer(seq), "orchestrator": .string(orchestrator), "latencyMs": .integer(latencyMs)] }

    public init(payload: PayloadReader) throws(TypedEventError) {
        seq = try payload.int("seq")
        orchestrator = try payload.string("orchestrator")
        latencyMs = try payload.int("latencyMs")
    }
}

/// `segment.failed` v1: an attempt at a segment failed, with the typed reason; `final` when no attempt is left.
public struct SegmentFailed: TypedEvent {
    public static let type = "segment.failed"
    public static let version = 1
    public static let topic = Topic.segments
    public static let requiredKeys: [EventKeys.Kind] = [.stream]

    public var seq: Int64
    public var orchestrator: String?
    public var attempt: Int64
    /// timeout, error-reply, verification-failed, unreachable, payment-refused or capped (the schema's list).
    public var reason: String
    public var detail: String?
    public var final: Bool

    public init(seq: Int64, orchestrator: String?, attempt: Int64, reason: String, detail: String?, final: Bool) {
        (self.seq, self.orchestrator, self.attempt, self.reason, self.final) = (seq, orchestrator, attempt, reason, final)
        self.detail = detail.map { String($0.prefix(1_000)) }
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["seq": .integer(seq), "attempt": .integer(attempt), "reason": .string(reason), "final": .bool(final)]
        if let orchestrator { fields["orchestrator"] = .string(orchestrator) }
        if let detail { fields["detail"] = .string(detail) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        seq = try payload.int("seq")
        orchestrator = try payload.optional("orchestrator", payload.string)
        attempt = try payload.int("attempt")
        reason = try payload.string("reason")
        detail = try payload.optional("detail", payload.string)
        guard let final = try payload.member("final").boolValue else {
            throw .wrongField(event: payload.event, field: "final", expected: "a boolean")
        }
        self.final = final
    }
}
