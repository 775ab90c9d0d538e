import EventModel
import JSONCore

/// Distributed mode: segments handed to the Kafka transcoder fleet, their results, and messages set aside.
enum FleetEvents {
    /// Where a payload's bytes travel: in the message's `streamflow-data` header(s), or in the shared store by name.
    static let dataReference = Schema.object(
        ["bytes": Schema.count, "dataHash": Schema.hash32, "inline": ["type": "boolean"], "storeName": Schema.identifier],
        required: ["bytes", "dataHash", "inline"],
        description: "bytes travel in the message header `streamflow-data[-PROFILE]` when inline, else in the shared store")
    static let profile = Schema.object(
        ["name": Schema.profileName, "width": Schema.count, "height": Schema.count, "bitrate": Schema.count, "fps": Schema.count],
        required: ["name", "width", "height", "bitrate", "fps"])

    static let all: [EventDefinition] = [
        EventDefinition(
            type: "transcode.requested", version: 1, topic: .segments, requiredKeys: [.stream, .orchestrator],
            summary: "An orchestrator put a segment on the segments topic for its transcoder fleet.",
            payload: Schema.object(
                ["request": Schema.identifier, "seq": Schema.segmentNumber, "durationMs": Schema.milliseconds,
                 "profiles": Schema.array(profile, minItems: 1), "source": dataReference],
                required: ["request", "seq", "durationMs", "profiles", "source"])),
        EventDefinition(
            type: "transcode.completed", version: 1, topic: .transcodeResults, requiredKeys: [.stream, .orchestrator],
            summary: "A fleet worker transcoded a requested segment; one per request in the log whatever the redeliveries.",
            payload: Schema.object(
                ["request": Schema.identifier, "seq": Schema.segmentNumber, "worker": Schema.identifier,
                 "elapsedMs": Schema.milliseconds,
                 "renditions": Schema.array(Schema.object(
                     ["profile": Schema.profileName, "pixels": Schema.count, "data": dataReference],
                     required: ["profile", "pixels", "data"]), minItems: 1)],
                required: ["request", "seq", "worker", "elapsedMs", "renditions"])),
        EventDefinition(
            type: "transcode.failed", version: 1, topic: .transcodeResults, requiredKeys: [.stream, .orchestrator],
            summary: "A fleet worker could not transcode a requested segment (bad source, missing data, encoder error).",
            payload: Schema.object(
                ["request": Schema.identifier, "seq": Schema.segmentNumber, "worker": Schema.identifier,
                 "reason": Schema.oneOfStrings(["transcode", "missing-data", "data-mismatch"]), "detail": Schema.string()],
                required: ["request", "seq", "worker", "reason", "detail"])),
        EventDefinition(
            type: "bus.deadlettered", version: 1, topic: .deadLetter, requiredKeys: [],
            summary: "A message no consumer could process was copied to the dead-letter topic, with the reason.",
            payload: Schema.object(
                ["sourceTopic": Schema.identifier, "partition": Schema.count, "offset": Schema.count,
                 "consumer": Schema.identifier, "bytes": Schema.count,
                 "reason": Schema.oneOfStrings(["unparsable", "unknown-type", "schema", "wrong-topic", "missing-data"]),
                 "detail": Schema.string()],
                required: ["sourceTopic", "partition", "offset", "consumer", "bytes", "reason", "detail"])),
    ]
}
