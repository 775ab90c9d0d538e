import EventModel
import JSONCore

/// A segment's life: ingested, dispatched to an orchestrator, transcoded, delivered or failed.
enum SegmentEvents {
    static let all: [EventDefinition] = [
        EventDefinition(
            type: "segment.ingested", version: 1, topic: .segments, requiredKeys: [.stream],
            summary: "A source segment arrived from the broadcaster's ingest.",
            payload: Schema.object(
                ["seq": Schema.segmentNumber, "durationMs": Schema.milliseconds, "bytes": Schema.count,
                 "dataHash": Schema.hash32, "width": Schema.count, "height": Schema.count],
                required: ["seq", "durationMs", "bytes", "dataHash"])),
        EventDefinition(
            type: "segment.dispatched", version: 1, topic: .segments, requiredKeys: [.stream, .orchestrator],
            summary: "A segment was sent to an orchestrator (attempt 1 is the first try).",
            payload: Schema.object(
                ["seq": Schema.segmentNumber, "orchestrator": Schema.address, "attempt": ["type": "integer", "minimum": 1],
                 "tickets": Schema.count, "transcoder": Schema.identifier],
                required: ["seq", "orchestrator", "attempt"])),
        EventDefinition(
            type: "segment.transcoded", version: 1, topic: .transcodeResults, requiredKeys: [.stream, .orchestrator],
            summary: "An orchestrator returned renditions, signed over their bytes.",
            payload: Schema.object(
                ["seq": Schema.segmentNumber, "orchestrator": Schema.address,
                 "renditions": Schema.array(Schema.ref("rendition"), minItems: 1), "sig": Schema.hexBytes,
                 "transcoder": Schema.identifier, "elapsedMs": Schema.milliseconds],
                required: ["seq", "orchestrator", "renditions", "sig"])),
        EventDefinition(
            type: "segment.delivered", version: 1, topic: .segments, requiredKeys: [.stream],
            summary: "Verified renditions of a segment went out to the playlist.",
            payload: Schema.object(
                ["seq": Schema.segmentNumber, "orchestrator": Schema.address, "latencyMs": Schema.milliseconds],
                required: ["seq", "orchestrator", "latencyMs"])),
        EventDefinition(
            type: "segment.failed", version: 1, topic: .segments, requiredKeys: [.stream],
            summary: "An attempt at a segment failed; `final` is true when no attempt is left.",
            payload: Schema.object(
                ["seq": Schema.segmentNumber, "orchestrator": Schema.address, "attempt": ["type": "integer", "minimum": 1],
                 "reason": Schema.oneOfStrings([
                    "timeout", "error-reply", "verification-failed", "unreachable", "payment-refused", "capped",
                 ]),
                 "detail": Schema.string(), "final": ["type": "boolean"]],
                required: ["seq", "attempt", "reason", "final"])),
        EventDefinition(
            type: "segment.refused", version: 1, topic: .segments, requiredKeys: [.orchestrator],
            summary: "An orchestrator refused a segment request, with the HTTP status it answered and the typed reason.",
            payload: Schema.object(
                ["seq": Schema.segmentNumber, "status": ["type": "integer", "minimum": 100, "maximum": 599],
                 "reason": Schema.oneOfStrings([
                    "unparsable-payment", "unparsable-segment", "bad-segment-signature", "bad-auth-token", "over-capacity",
                    "payment-failed", "credit-below-ev", "hash-mismatch", "transcode-failed",
                 ]),
                 "detail": Schema.string(), "sender": Schema.address],
                required: ["status", "reason", "detail"])),
    ]
}
