import Dispatch
import Foundation
import Transcoding
import Wire
public import EventModel
public import Scheduling

/// Schedules an orchestrator's segments onto its transcoders. Every decision is an event (registered, lost,
/// assigned, completed, failed) folded into a `SchedulerState` and emitted to the log in the same order, so
/// the `scheduling` projection rebuilds exactly what the scheduler decided from. Streams stick to one
/// transcoder (its encoders live there); new streams go to the least loaded by capacity; a failed or
/// timed-out attempt is retried on another transcoder.
public final class TranscoderPool: @unchecked Sendable {
    // @unchecked: `state`, `workers`, `generation` and `nextTask` are guarded by `lock`, which is also held
    // while emitting so the log's order is the fold's order.
    public let orchestrator: String
    public let maxAttempts: Int
    private let sink: any EventSink
    private let clock: any EventClock
    private let timeout: @Sendable (TranscodeTask) -> Duration
    private let lock = NSLock()
    private var state = SchedulerState()
    private var workers: [String: any TranscoderWorker] = [:]
    private var generation: [String: Int] = [:]
    private var nextTask: Int64 = 0

    /// Why the pool could not get a task transcoded: no transcoder at all, or every one tried failed.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case noTranscoder
        case allAttemptsFailed([String])
        public var description: String {
            switch self {
            case .noTranscoder: "no transcoder is registered"
            case .allAttemptsFailed(let reasons): "every attempt failed: \(reasons.joined(separator: "; "))"
            }
        }
    }

    /// `timeout(task)` bounds one attempt; the default allows 5× the segment's duration, at least 10 s.
    public init(orchestrator: String, sink: any EventSink, clock: any EventClock, maxAttempts: Int = 3,
                timeout: @escaping @Sendable (TranscodeTask) -> Duration = TranscoderPool.defaultTimeout) {
        self.orchestrator = orchestrator
        self.sink = sink
        self.clock = clock
        self.maxAttempts = max(1, maxAttempts)
        self.timeout = timeout
    }

    /// 5× the segment's duration, at least 10 s.
    public static func defaultTimeout(_ task: TranscodeTask) -> Duration { .milliseconds(max(10_000, Int(task.durationMs) * 5)) }

    /// The scheduler's state now (what the `scheduling` projection holds for this orchestrator).
    public var snapshot: SchedulerState { lock.withLock { state } }

    /// Total capacity of the live transcoders (read on every segment request; no copy of the state).
    public var capacity: Int { lock.withLock { state.capacity } }

    /// Task ids are unique per pool.
    public func newTaskID() -> Int64 { lock.withLock { defer { nextTask += 1 }; return nextTask } }

    /// Adds a transcoder (`transcoder.registered`).
    public func add(_ worker: any TranscoderWorker) {
        lock.withLock {
            workers[worker.id] = worker
            generation[worker.id, default: 0] += 1
            record(SchedulingEvents.registered(orchestrator: orchestrator, transcoder: worker.id, capacity: worker.capacity,
                                               kind: worker.kind, generation: generation[worker.id]!, timestamp: clock.nowMilliseconds()))
        }
    }

    /// Removes a transcoder (`transcoder.lost`); its tasks in flight fail on their own. No-op if unknown.
    public func remove(id: String, reason: String) {
        lock.withLock { removeLocked(id: id, reason: reason) }
    }

    private func removeLocked(id: String, reason: String) {
        guard workers.removeValue(forKey: id) != nil else { return }
        record(SchedulingEvents.lost(orchestrator: orchestrator, transcoder: id, reason: reason, generation: generation[id] ?? 0,
                                     timestamp: clock.nowMilliseconds()))
    }

    /// Runs a task: choose, assign, await with a timeout; on failure retry elsewhere, up to `maxAttempts`.
    /// Returns the renditions and the transcoder that made them.
    public func run(_ task: TranscodeTask) async throws(Failure) -> (renditions: [TranscodedRendition], transcoder: String) {
        var excluded: Set<String> = []
        var reasons: [String] = []
        for attempt in 1...maxAttempts {
            let picked: (String, any TranscoderWorker)? = lock.withLock {
                guard let id = state.choose(stream: task.manifest, excluding: excluded), let worker = workers[id] else { return nil }
                record(SchedulingEvents.assigned(orchestrator: orchestrator, stream: task.manifest, taskID: task.id, seq: task.seq,
                                                 transcoder: id, attempt: attempt, timestamp: clock.nowMilliseconds()))
                return (id, worker)
            }
            guard let (id, worker) = picked else {
                if reasons.isEmpty { throw .noTranscoder }
                break
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let outcome = await Self.race(worker: worker, task: task, timeout: timeout(task))
            let elapsedMs = Int64((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
            switch outcome {
            case .success(let renditions):
                lock.withLock {
                    record(SchedulingEvents.completed(orchestrator: orchestrator, stream: task.manifest, taskID: task.id, attempt: attempt,
                                                      transcoder: id, elapsedMs: elapsedMs, pixels: renditions.reduce(0) { $0 + $1.pixels },
                                                      timestamp: clock.nowMilliseconds()))
                }
                return (renditions, id)
            case .failure(let failure):
                excluded.insert(id)
                reasons.append("\(id): \(failure)")
                lock.withLock {
                    let final = attempt == maxAttempts || state.choose(stream: task.manifest, excluding: excluded) == nil
                    record(SchedulingEvents.failed(orchestrator: orchestrator, stream: task.manifest, taskID: task.id, attempt: attempt,
                                                   transcoder: id, reason: Self.reason(failure), detail: failure.description,
                                                   final: final, timestamp: clock.nowMilliseconds()))
                    if failure == .disconnected { removeLocked(id: id, reason: "disconnected") }
                }
            }
        }
        throw .allAttemptsFailed(reasons)
    }

    /// Folds and emits one event; called with `lock` held.
    private func record(_ event: EventEnvelope) {
        state.apply(event)
        sink.emit([event])
    }

    private static func reason(_ failure: TranscoderFailure) -> SchedulingEvents.FailureReason {
        switch failure {
        case .timeout: .timeout
        case .disconnected: .disconnected
        case .transcode: .error
        case .badResult: .badResult
        }
    }

    /// The worker's answer or `.timeout`, whichever comes first (a late answer is dropped; the worker's own
    /// thread finishes on its own).
    private static func race(worker: any TranscoderWorker, task: TranscodeTask,
                             timeout: Duration) async -> Result<[TranscodedRendition], TranscoderFailure> {
        let once = OnceBox<Result<[TranscodedRendition], TranscoderFailure>>()
        return await withCheckedContinuation { continuation in
            once.attach(continuation)
            let work = Task {
                do throws(TranscoderFailure) {
                    let renditions = try await worker.transcode(task)
                    once.resume(Self.checked(renditions, task: task))
                } catch { once.resume(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(.failure(.timeout))
                work.cancel()  // the segment is given up: a local transcode stops at its next packet
            }
        }
    }

    /// A result is usable when it has one rendition per profile, each a file that exists with a pixel count some
    /// rendition could have (0…2^48, so that no sum of counts can overflow).
    private static func checked(_ renditions: [TranscodedRendition], task: TranscodeTask) -> Result<[TranscodedRendition], TranscoderFailure> {
        guard renditions.count == task.profiles.count else {
            return .failure(.badResult("\(renditions.count) renditions for \(task.profiles.count) profiles"))
        }
        for rendition in renditions where !(0...RenditionMultipart.maxPixels).contains(rendition.pixels) {
            return .failure(.badResult("\(rendition.pixels) pixels claimed for \(rendition.profile.name)"))
        }
        for rendition in renditions where !FileManager.default.fileExists(atPath: rendition.file) {
            return .failure(.badResult("missing file \(rendition.file)"))
        }
        return .success(renditions)
    }
}

/// A continuation resumed by the first of several racers; the others' values are dropped.
final class OnceBox<Value: Sendable>: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, Never>?

    func attach(_ continuation: CheckedContinuation<Value, Never>) { lock.withLock { self.continuation = continuation } }

    func resume(_ value: Value) {
        let waiting = lock.withLock { () -> CheckedContinuation<Value, Never>? in
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: value)
    }
}
