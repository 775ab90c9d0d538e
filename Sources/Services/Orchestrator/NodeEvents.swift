public import EventModel
import JSONCore

/// The orchestrator's own events besides payments and scheduling: refusals of segment requests.
public enum NodeEvents {
    /// `segment.refused`: the status answered, the typed reason and its detail.
    public static func segmentRefused(id: String, orchestrator: String, stream: String?, seq: Int64?, status: Int, reason: String,
                                      detail: String, sender: String?, timestamp: Int64) -> EventEnvelope {
        var payload: [String: JSONValue] = ["status": .integer(Int64(status)), "reason": .string(reason),
                                            "detail": .string(String(detail.prefix(1_000)))]
        if let seq { payload["seq"] = .integer(seq) }
        if let sender { payload["sender"] = .string(sender) }
        return EventEnvelope(id: id, type: "segment.refused", version: 1, topic: .segments,
                             keys: EventKeys(stream: stream, orchestrator: orchestrator, sender: sender), timestamp: timestamp,
                             payload: .object(payload))
    }
}
