import Dispatch
import Foundation
import Synchronization
import Transcoding
import Wire
public import EventModel
public import Scheduling

/// Schedules an orchestrator's segments onto its transcoders. Every decision is an event (registered, lost,
/// assigned, completed, failed) folded into a `SchedulerState` and emitted to the log in the same order, so
/// the `scheduling` projection rebuilds exactly what the scheduler decided from. Streams stick to one
/// transcoder (its encoders live there); new streams go to the least loaded by capacity; a failed or
/// timed-out attempt is retried on another transcoder.
public final class TranscoderPool: Sendable {
    public let orchestrator: String
    public let maxAttempts: Int
    private let sink: any EventSink
    private let clock: any EventClock
    private let timeout: @Sendable (TranscodeTask) -> Duration
    /// The fold and the live workers, behind one lock that is also held while emitting (the log's order is the fold's).
    private let core: Mutex<Core>

    private struct Core {
        var state: SchedulerState
        var workers: [String: any TranscoderWorker] = [:]
        var nextTask: Int64
    }

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

    /// `timeout(task)` bounds one attempt; the default allows 5× the segment's duration, at least 10 s. `restoring` is
    /// the `scheduling` projection's state for this orchestrator when the node restarts: task ids and registration
    /// generations continue from it, and every transcoder it still lists is recorded lost ("disconnected": their
    /// connections died with the old process; they register again), which also fails the tasks it had in flight.
    public init(orchestrator: String, sink: any EventSink, clock: any EventClock, maxAttempts: Int = 3,
                timeout: @escaping @Sendable (TranscodeTask) -> Duration = TranscoderPool.defaultTimeout,
                restoring restored: SchedulerState = SchedulerState()) {
        self.orchestrator = orchestrator
        self.sink = sink
        self.clock = clock
        self.maxAttempts = max(1, maxAttempts)
        self.timeout = timeout
        var core = Core(state: restored, nextTask: restored.nextTaskID)
        for id in restored.workers.keys.sorted() {
            let event = SchedulingEvents.lost(orchestrator: orchestrator, transcoder: id, reason: "disconnected",
                                              generation: restored.generations[id] ?? 0, timestamp: clock.nowMilliseconds())
            core.state.apply(event)
            sink.emit([event])
        }
        self.core = Mutex(core)
    }

    /// 5× the segment's duration, at least 10 s.
    public static func defaultTimeout(_ task: TranscodeTask) -> Duration { .milliseconds(max(10_000, Int(task.durationMs) * 5)) }

    /// The scheduler's state now (what the `scheduling` projection holds for this orchestrator).
    public var snapshot: SchedulerState { core.withLock { $0.state } }

    /// Total capacity of the live transcoders (read on every segment request; no copy of the state).
    public var capacity: Int { core.withLock { $0.state.capacity } }

    /// Task ids are unique per pool.
    public func newTaskID() -> Int64 { core.withLock { core in defer { core.nextTask += 1 }; return core.nextTask } }

    /// Adds a transcoder (`transcoder.registered`).
    public func add(_ worker: any TranscoderWorker) {
        core.withLock { core in
            core.workers[worker.id] = worker
            record(SchedulingEvents.registered(orchestrator: orchestrator, transcoder: worker.id, capacity: worker.capacity,
                                               kind: worker.kind, generation: (core.state.generations[worker.id] ?? 0) + 1,
                                               timestamp: clock.nowMilliseconds()), in: &core)
        }
    }

    /// Removes a transcoder (`transcoder.lost`); its tasks in flight fail on their own. No-op if unknown.
    public func remove(id: String, reason: String) {
        core.withLock { remove(id: id, reason: reason, in: &$0) }
    }

    private func remove(id: String, reason: String, in core: inout Core) {
        guard core.workers.removeValue(forKey: id) != nil else { return }
        record(SchedulingEvents.lost(orchestrator: orchestrator, transcoder: id, reason: reason,
                                     generation: core.state.generations[id] ?? 0, timestamp: clock.nowMilliseconds()), in: &core)
    }

    /// Runs a task: choose, assign, await with a timeout; on failure retry elsewhere, up to `maxAttempts`.
    /// Returns the renditions and the transcoder that made them.
    public func run(_ task: TranscodeTask) async throws(Failure) -> (renditions: [TranscodedRendition], transcoder: String) {
        var excluded: Set<String> = []
        var reasons: [String] = []
        for attempt in 1...maxAttempts {
            let picked: (String, any TranscoderWorker)? = core.withLock { core in
                guard let id = core.state.choose(stream: task.manifest, excluding: excluded), let worker = core.workers[id] else { return nil }
                record(SchedulingEvents.assigned(orchestrator: orchestrator, stream: task.manifest, taskID: task.id, seq: task.seq,
                                                 transcoder: id, attempt: attempt, timestamp: clock.nowMilliseconds()), in: &core)
                return (id, worker)
            }
            guard let (id, worker) = picked else {
                if reasons.isEmpty { throw .noTranscoder }
                break
            }
            // Measured on the injected clock, as the events' timestamps are (a replayed run measures the same).
            let started = clock.nowMilliseconds()
            let outcome = await Self.race(worker: worker, task: task, timeout: timeout(task))
            let elapsedMs = max(0, clock.nowMilliseconds() - started)
            switch outcome {
            case .success(let renditions):
                core.withLock { core in
                    record(SchedulingEvents.completed(orchestrator: orchestrator, stream: task.manifest, taskID: task.id, attempt: attempt,
                                                      transcoder: id, elapsedMs: elapsedMs, pixels: renditions.reduce(0) { $0 + $1.pixels },
                                                      timestamp: clock.nowMilliseconds()), in: &core)
                }
                return (renditions, id)
            case .failure(let failure):
                excluded.insert(id)
                reasons.append("\(id): \(failure)")
                core.withLock { core in
                    let final = attempt == maxAttempts || core.state.choose(stream: task.manifest, excluding: excluded) == nil
                    record(SchedulingEvents.failed(orchestrator: orchestrator, stream: task.manifest, taskID: task.id, attempt: attempt,
                                                   transcoder: id, reason: Self.reason(failure), detail: failure.description,
                                                   final: final, timestamp: clock.nowMilliseconds()), in: &core)
                    if failure == .disconnected { remove(id: id, reason: "disconnected", in: &core) }
                }
            }
        }
        throw .allAttemptsFailed(reasons)
    }

    /// Folds and emits one event, under the lock.
    private func record(_ event: EventEnvelope, in core: inout Core) {
        core.state.apply(event)
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

    /// The worker's answer or `.timeout`, whichever comes first; the loser is cancelled (a local transcode stops at its
    /// next packet, a remote one is abandoned), and no timer outlives the attempt.
    private static func race(worker: any TranscoderWorker, task: TranscodeTask,
                             timeout: Duration) async -> Result<[TranscodedRendition], TranscoderFailure> {
        await withTimeout(timeout, onTimeout: { .failure(.timeout) }) {
            do throws(TranscoderFailure) {
                return Self.checked(try await worker.transcode(task), task: task)
            } catch { return .failure(error) }
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
