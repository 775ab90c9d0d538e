public import JSONCore

// The transcoders family: workers joining and leaving an orchestrator's pool and the tasks scheduled onto them, declared
// once each (topic `transcoders`, keyed by orchestrator; task events also by stream).

/// `transcoder.registered` v1: a transcoder joined an orchestrator's pool with a capacity.
public struct TranscoderRegistered: TypedEvent {
    public static let type = "transcoder.registered"
    public static let version = 1
    public static let topic = Topic.transcoders
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var transcoder: String
    public var capacity: Int64
    /// local or remote.
    public var kind: String
    public var encoder: String?

    public init(transcoder: String, capacity: Int64, kind: String, encoder: String? = nil) {
        (self.transcoder, self.capacity, self.kind, self.encoder) = (transcoder, capacity, kind, encoder)
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["transcoder": .string(transcoder), "capacity": .integer(capacity), "kind": .string(kind)]
        if let encoder { fields["encoder"] = .string(encoder) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        transcoder = try payload.string("transcoder")
        capacity = try payload.int("capacity")
        kind = try payload.string("kind")
        encoder = try payload.optional("encoder", payload.string)
    }
}

/// `transcoder.lost` v1: a transcoder left the pool or stopped answering.
public struct TranscoderLost: TypedEvent {
    public static let type = "transcoder.lost"
    public static let version = 1
    public static let topic = Topic.transcoders
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var transcoder: String
    /// disconnected, timeout, shutdown or error.
    public var reason: String

    public init(transcoder: String, reason: String) { (self.transcoder, self.reason) = (transcoder, reason) }

    public var payload: JSONValue { ["transcoder": .string(transcoder), "reason": .string(reason)] }

    public init(payload: PayloadReader) throws(TypedEventError) {
        transcoder = try payload.string("transcoder")
        reason = try payload.string("reason")
    }
}

/// `task.assigned` v1: the scheduler gave a segment to a transcoder (attempt 1 is the first try).
public struct TaskAssigned: TypedEvent {
    public static let type = "task.assigned"
    public static let version = 1
    public static let topic = Topic.transcoders
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var taskId: Int64
    public var seq: Int64
    public var transcoder: String
    public var attempt: Int64

    public init(taskId: Int64, seq: Int64, transcoder: String, attempt: Int64) {
        (self.taskId, self.seq, self.transcoder, self.attempt) = (taskId, seq, transcoder, attempt)
    }

    public var payload: JSONValue {
        ["taskId": .integer(taskId), "seq": .integer(seq), "transcoder": .string(transcoder), "attempt": .integer(attempt)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        taskId = try payload.int("taskId")
        seq = try payload.int("seq")
        transcoder = try payload.string("transcoder")
        attempt = try payload.int("attempt")
    }
}

/// `task.completed` v1: a transcoder returned a task's renditions.
public struct TaskCompleted: TypedEvent {
    public static let type = "task.completed"
    public static let version = 1
    public static let topic = Topic.transcoders
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var taskId: Int64
    public var transcoder: String
    public var elapsedMs: Int64
    public var pixels: Int64

    public init(taskId: Int64, transcoder: String, elapsedMs: Int64, pixels: Int64) {
        (self.taskId, self.transcoder, self.elapsedMs, self.pixels) = (taskId, transcoder, elapsedMs, pixels)
    }

    public var payload: JSONValue {
        ["taskId": .integer(taskId), "transcoder": .string(transcoder), "elapsedMs": .integer(elapsedMs), "pixels": .integer(pixels)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        taskId = try payload.int("taskId")
        transcoder = try payload.string("transcoder")
        elapsedMs = try payload.int("elapsedMs")
        pixels = try payload.int("pixels")
    }
}

/// `task.failed` v1: a task attempt failed on a transcoder; `final` when no transcoder is left to retry on.
public struct TaskFailed: TypedEvent {
    public static let type = "task.failed"
    public static let version = 1
    public static let topic = Topic.transcoders
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var taskId: Int64
    public var transcoder: String
    /// timeout, error, disconnected or bad-result.
    public var reason: String
    public var detail: String?
    public var final: Bool

    public init(taskId: Int64, transcoder: String, reason: String, detail: String?, final: Bool) {
        (self.taskId, self.transcoder, self.reason, self.final) = (taskId, transcoder, reason, final)
        self.detail = detail.map { String($0.prefix(1_000)) }
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["taskId": .integer(taskId), "transcoder": .string(transcoder), "reason": .string(reason),
                                           "final": .bool(final)]
        if let detail { fields["detail"] = .string(detail) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        taskId = try payload.int("taskId")
        transcoder = try payload.string("transcoder")
        reason = try payload.string("reason")
        detail = try payload.optional("detail", payload.string)
        final = try payload.bool("final")
    }
}
