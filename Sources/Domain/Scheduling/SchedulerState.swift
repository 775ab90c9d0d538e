public import EventModel
import JSONCore

/// An orchestrator's transcoder pool as its events state it: who is registered with what capacity, what each
/// is working on, and which transcoder each stream sticks to. A pure fold: the scheduler decides from it
/// live, and replaying the log rebuilds it exactly (the `scheduling` projection).
public struct SchedulerState: Codable, Sendable, Equatable {
    /// One transcoder in the pool.
    public struct Worker: Codable, Sendable, Equatable {
        public var capacity: Int
        public var kind: String
        public var load = 0
        public var completed = 0
        public var failed = 0
    }

    /// Registered transcoders that have not been lost, by id.
    public private(set) var workers: [String: Worker] = [:]
    /// Stream → the transcoder its last segment was assigned to (its encoders live there).
    public private(set) var sticky: [String: String] = [:]
    /// Task id (decimal) → the transcoder working on it.
    public private(set) var inFlight: [String: String] = [:]
    /// Transcoders lost so far, with the reason.
    public private(set) var lost: [String: String] = [:]
    /// Registrations seen per transcoder id: the next registration of that id is generation + 1 (event ids carry it,
    /// so a restarted node never reuses one).
    public private(set) var generations: [String: Int] = [:]
    /// One past the highest task id assigned: where a restarted node's task ids continue.
    public private(set) var nextTaskID: Int64 = 0

    public init() {}

    /// Total capacity of the live transcoders.
    public var capacity: Int { workers.values.reduce(0) { $0 + $1.capacity } }
    /// Tasks in flight across the pool.
    public var load: Int { inFlight.count }

    /// Where a task of `stream` goes: the stream's sticky transcoder while it is live, has room and is not
    /// excluded; else the live one with the lowest load ÷ capacity that has room (ties by id); else, when all
    /// are full, the lowest ratio anyway (it queues there). Nil when no live transcoder is left to try.
    public func choose(stream: String, excluding: Set<String> = []) -> String? {
        if let id = sticky[stream], !excluding.contains(id), let worker = workers[id], worker.load < worker.capacity {
            return id
        }
        let candidates = workers.filter { !excluding.contains($0.key) }
        func ratio(_ worker: Worker) -> Double { Double(worker.load) / Double(max(1, worker.capacity)) }
        let ranked = candidates.sorted { lhs, rhs in
            let (left, right) = (ratio(lhs.value), ratio(rhs.value))
            return left != right ? left < right : lhs.key < rhs.key
        }
        return (ranked.first { $0.value.load < $0.value.capacity } ?? ranked.first)?.key
    }

    /// Folds one event; events of other types (or a payload that does not read) change nothing.
    public mutating func apply(_ envelope: EventEnvelope) {
        if let event = try? TranscoderRegistered.decoded(from: envelope) {
            workers[event.transcoder] = Worker(capacity: Int(event.capacity), kind: event.kind)
            lost[event.transcoder] = nil
            generations[event.transcoder, default: 0] += 1
        } else if let event = try? TranscoderLost.decoded(from: envelope) {
            let id = event.transcoder
            workers[id] = nil
            lost[id] = event.reason
            inFlight = inFlight.filter { $0.value != id }
            sticky = sticky.filter { $0.value != id }
        } else if let event = try? TaskAssigned.decoded(from: envelope) {
            let id = event.transcoder
            inFlight[String(event.taskId)] = id
            workers[id]?.load += 1
            nextTaskID = max(nextTaskID, event.taskId &+ 1)
            if let stream = envelope.keys.stream { sticky[stream] = id }
        } else if let event = try? TaskCompleted.decoded(from: envelope) {
            guard let id = inFlight.removeValue(forKey: String(event.taskId)) else { return }
            workers[id]?.load -= 1
            workers[id]?.completed += 1
        } else if let event = try? TaskFailed.decoded(from: envelope) {
            guard let id = inFlight.removeValue(forKey: String(event.taskId)) else { return }
            workers[id]?.load -= 1
            workers[id]?.failed += 1
        }
    }
}
