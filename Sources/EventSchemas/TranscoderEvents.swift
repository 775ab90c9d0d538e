import EventModel
import JSONCore

/// Transcoder workers joining and leaving an orchestrator's pool.
enum TranscoderEvents {
    static let all: [EventDefinition] = [
        EventDefinition(
            type: "transcoder.registered", version: 1, topic: .transcoders, requiredKeys: [.orchestrator],
            summary: "A transcoder joined an orchestrator's pool with a capacity.",
            payload: Schema.object(
                ["transcoder": Schema.identifier, "capacity": ["type": "integer", "minimum": 1],
                 "kind": Schema.oneOfStrings(["local", "remote"]), "encoder": Schema.identifier],
                required: ["transcoder", "capacity", "kind"])),
        EventDefinition(
            type: "transcoder.lost", version: 1, topic: .transcoders, requiredKeys: [.orchestrator],
            summary: "A transcoder left the pool or stopped answering.",
            payload: Schema.object(
                ["transcoder": Schema.identifier, "reason": Schema.oneOfStrings(["disconnected", "timeout", "shutdown", "error"])],
                required: ["transcoder", "reason"])),
    ]
}
