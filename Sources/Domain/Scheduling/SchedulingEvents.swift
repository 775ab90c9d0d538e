public import EventModel
import JSONCore

/// The events a scheduler writes: envelopes of the transcoders family's typed events, built from its decisions. Ids are unique per
/// orchestrator and task attempt, so a repeated append writes nothing twice.
public enum SchedulingEvents {
    /// Why a task attempt failed, as the `task.failed` event states it.
    public enum FailureReason: String, Sendable, CaseIterable {
        case timeout, error, disconnected, badResult = "bad-result"
    }

    public static func registered(orchestrator: String, transcoder: String, capacity: Int, kind: String, generation: Int,
                                  timestamp: Int64) -> EventEnvelope {
        TranscoderRegistered(transcoder: transcoder, capacity: Int64(capacity), kind: kind)
            .envelope(id: "\(orchestrator)/transcoder/\(transcoder)/\(generation)/registered", keys: EventKeys(orchestrator: orchestrator),
                      timestamp: timestamp)
    }

    public static func lost(orchestrator: String, transcoder: String, reason: String, generation: Int,
                            timestamp: Int64) -> EventEnvelope {
        TranscoderLost(transcoder: transcoder, reason: reason)
            .envelope(id: "\(orchestrator)/transcoder/\(transcoder)/\(generation)/lost", keys: EventKeys(orchestrator: orchestrator),
                      timestamp: timestamp)
    }

    public static func assigned(orchestrator: String, stream: String, taskID: Int64, seq: Int64, transcoder: String, attempt: Int,
                                timestamp: Int64) -> EventEnvelope {
        TaskAssigned(taskId: taskID, seq: seq, transcoder: transcoder, attempt: Int64(attempt))
            .envelope(id: "\(orchestrator)/task/\(taskID)/\(attempt)/assigned", keys: EventKeys(stream: stream, orchestrator: orchestrator),
                      timestamp: timestamp)
    }

    public static func completed(orchestrator: String, stream: String, taskID: Int64, attempt: Int, transcoder: String,
                                 elapsedMs: Int64, pixels: Int64, timestamp: Int64) -> EventEnvelope {
        TaskCompleted(taskId: taskID, transcoder: transcoder, elapsedMs: elapsedMs, pixels: pixels)
            .envelope(id: "\(orchestrator)/task/\(taskID)/\(attempt)/completed", keys: EventKeys(stream: stream, orchestrator: orchestrator),
                      timestamp: timestamp)
    }

    public static func failed(orchestrator: String, stream: String, taskID: Int64, attempt: Int, transcoder: String,
                              reason: FailureReason, detail: String, final: Bool, timestamp: Int64) -> EventEnvelope {
        TaskFailed(taskId: taskID, transcoder: transcoder, reason: reason.rawValue, detail: detail, final: final)
            .envelope(id: "\(orchestrator)/task/\(taskID)/\(attempt)/failed", keys: EventKeys(stream: stream, orchestrator: orchestrator),
                      timestamp: timestamp)
    }
}
