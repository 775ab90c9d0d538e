import EventModel
import JSONCore

/// Transcoder workers joining and leaving an orchestrator's pool, and the tasks scheduled onto them.
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
        EventDefinition(
            type: "task.assigned", version: 1, topic: .transcoders, requiredKeys: [.stream, .orchestrator],
            summary: "The orchestrator's scheduler gave a segment to a transcoder (attempt 1 is the first try).",
            payload: Schema.object(
                ["taskId": ["type": "integer", "minimum": 0], "seq": Schema.segmentNumber, "transcoder": Schema.identifier,
                 "attempt": ["type": "integer", "minimum": 1]],
                required: ["taskId", "seq", "transcoder", "attempt"])),
        EventDefinition(
            type: "task.completed", version: 1, topic: .transcoders, requiredKeys: [.stream, .orchestrator],
            summary: "A transcoder returned a task's renditions.",
            payload: Schema.object(
                ["taskId": ["type": "integer", "minimum": 0], "transcoder": Schema.identifier, "elapsedMs": Schema.milliseconds,
                 "pixels": Schema.count],
                required: ["taskId", "transcoder", "elapsedMs", "pixels"])),
        EventDefinition(
            type: "task.failed", version: 1, topic: .transcoders, requiredKeys: [.stream, .orchestrator],
            summary: "A task attempt failed on a transcoder; `final` is true when no transcoder is left to retry on.",
            payload: Schema.object(
                ["taskId": ["type": "integer", "minimum": 0], "transcoder": Schema.identifier,
                 "reason": Schema.oneOfStrings(["timeout", "error", "disconnected", "bad-result"]),
                 "detail": Schema.string(), "final": ["type": "boolean"]],
                required: ["taskId", "transcoder", "reason", "final"])),
    ]
}
