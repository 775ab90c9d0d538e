public import EventModel
import JSONCore

/// The events a scheduler writes (types, and envelopes built from its decisions). Ids are unique per
/// orchestrator and task attempt, so a repeated append writes nothing twice.
public enum SchedulingEvents {
    public static let registered = "transcoder.registered"
    public static let lost = "transcoder.lost"
    public static let assigned = "task.assigned"
    public static let completed = "task.completed"
    public static let failed = "task.failed"

    /// Why a task attempt failed, as the `task.failed` event states it.
    public enum FailureReason: String, Sendable, CaseIterable {
        case timeout, error, disconnected, badResult = "bad-result"
    }

    public static func registered(orchestrator: String, transcoder: String, capacity: Int, kind: String, generation: Int,
                                  timestamp: Int64) -> EventEnvelope {
        EventEnvelope(id: "\(orchestrator)/transcoder/\(transcoder)/\(generation)/registered", type: registered, version: 1,
                      topic: .transcoders, keys: EventKeys(orchestrator: orchestrator), timestamp: timestamp,
                      payload: ["transcoder": .string(transcoder), "capacity": .integer(Int64(capacity)), "kind": .string(kind)])
    }

    public static func lost(orchestrator: String, transcoder: String, reason: String, generation: Int,
                            timestamp: Int64) -> EventEnvelope {
        EventEnvelope(id: "\(orchestrator)/transcoder/\(transcoder)/\(generation)/lost", type: lost, version: 1,
                      topic: .transcoders, keys: EventKeys(orchestrator: orchestrator), timestamp: timestamp,
                      payload: ["transcoder": .string(transcoder), "reason": .string(reason)])
    }

    public static func assigned(orchestrator: String, stream: String, taskID: Int64, seq: Int64, transcoder: String, attempt: Int,
                                timestamp: Int64) -> EventEnvelope {
        EventEnvelope(id: "\(orchestrator)/task/\(taskID)/\(attempt)/assigned", type: assigned, version: 1, topic: .transcoders,
                      keys: EventKeys(stream: stream, orchestrator: orchestrator), timestamp: timestamp,
                      payload: ["taskId": .integer(taskID), "seq": .integer(seq), "transcoder": .string(transcoder),
                                "attempt": .integer(Int64(attempt))])
    }

    public static func completed(orchestrator: String, stream: String, taskID: Int64, attempt: Int, transcoder: String,
                                 elapsedMs: Int64, pixels: Int64, timestamp: Int64) -> EventEnvelope {
        EventEnvelope(id: "\(orchestrator)/task/\(taskID)/\(attempt)/completed", type: completed, version: 1, topic: .transcoders,
                      keys: EventKeys(stream: stream, orchestrator: orchestrator), timestamp: timestamp,
                      payload: ["taskId": .integer(taskID), "transcoder": .string(transcoder), "elapsedMs": .integer(elapsedMs),
                                "pixels": .integer(pixels)])
    }

    public static func failed(orchestrator: String, stream: String, taskID: Int64, attempt: Int, transcoder: String,
                              reason: FailureReason, detail: String, final: Bool, timestamp: Int64) -> EventEnvelope {
        EventEnvelope(id: "\(orchestrator)/task/\(taskID)/\(attempt)/failed", type: failed, version: 1, topic: .transcoders,
                      keys: EventKeys(stream: stream, orchestrator: orchestrator), timestamp: timestamp,
                      payload: ["taskId": .integer(taskID), "transcoder": .string(transcoder), "reason": .string(reason.rawValue),
                                "detail": .string(String(detail.prefix(1_000))), "final": .bool(final)])
    }
}
