public import EventModel

/// The orchestrator's own events besides payments and scheduling: refusals of segment requests.
public enum NodeEvents {
    /// `segment.refused`: the status answered, the typed reason and its detail.
    public static func segmentRefused(id: String, orchestrator: String, stream: String?, seq: Int64?, status: Int, reason: String,
                                      detail: String, sender: String?, timestamp: Int64) -> EventEnvelope {
        SegmentRefused(seq: seq, status: Int64(status), reason: reason, detail: detail, sender: sender)
            .envelope(id: id, keys: EventKeys(stream: stream, orchestrator: orchestrator, sender: sender), timestamp: timestamp)
    }
}
