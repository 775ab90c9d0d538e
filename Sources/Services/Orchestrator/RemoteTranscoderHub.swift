import Foundation
import EthCrypto
import EventModel
import Synchronization
public import Wire

/// The orchestrator's registry of remote transcoders: checks a registration's secret, hands each task to its
/// transcoder's stream with an unguessable URL for the source bytes, matches the POSTed results to the waiting
/// `transcode` call, and fails a task with `.disconnected` when its stream drops or `.timeout` when no result
/// comes in time. Registrations and losses are reported through `onEvent` (the scheduler's input).
public final class RemoteTranscoderHub: Sendable {
    public static let maxCapacity = 64
    public let taskTimeout: Duration
    private let secret: String?
    private let onEvent: @Sendable (RemoteTranscoderEvent) -> Void
    /// Every mutable field. Continuations are resumed outside the lock, exactly once: an entry is removed from
    /// `waiting` under the lock by whoever resumes it.
    private let state = Mutex(State())

    private struct State {
        var connected: [String: RemoteTranscoder] = [:]
        var waiting: [Int64: Waiting] = [:]
        var sources: [String: String] = [:]
        var serial = 0
        var base = ""
    }

    private struct Waiting {
        let task: TranscodeTask
        let transcoderID: String
        let attempt: Int
        let token: String
        let continuation: CheckedContinuation<Result<[TranscodedRendition], TranscoderFailure>, Never>
    }

    /// `secret` nil refuses every registration. `taskTimeout` bounds each task from dispatch to result.
    public init(secret: String?, taskTimeout: Duration = .seconds(30),
                onEvent: @escaping @Sendable (RemoteTranscoderEvent) -> Void = { _ in }) {
        self.secret = secret
        self.taskTimeout = taskTimeout
        self.onEvent = onEvent
    }

    /// The HTTP(S) edge's base URL; a task's source is served at `<base>/transcoder/source/<token>`.
    public var sourceBaseURL: String {
        get { state.withLock { $0.base } }
        set { state.withLock { $0.base = newValue } }
    }

    /// The transcoders connected now, by id.
    public var transcoders: [RemoteTranscoder] { state.withLock { $0.connected.values.sorted { $0.id < $1.id } } }

    /// Registers a transcoder: the worker, and the NotifySegment messages to send on its stream until it drops.
    public func register(secret offered: String, capacity: Int64) throws(RegistrationRefusal) -> (RemoteTranscoder, AsyncStream<Net_NotifySegment>) {
        guard let secret else { throw .notAccepting }
        guard Self.equalInConstantTime(Array(offered.utf8), Array(secret.utf8)) else { throw .wrongSecret }
        guard (1...Int64(Self.maxCapacity)).contains(capacity) else { throw .badCapacity(capacity) }
        let (stream, continuation) = AsyncStream.makeStream(of: Net_NotifySegment.self)
        let transcoder: RemoteTranscoder = state.withLock { state in
            state.serial += 1
            let transcoder = RemoteTranscoder(id: "remote-\(state.serial)", capacity: Int(capacity), notifications: continuation, hub: self)
            state.connected[transcoder.id] = transcoder
            return transcoder
        }
        onEvent(.registered(id: transcoder.id, capacity: transcoder.capacity))
        return (transcoder, stream)
    }

    /// The transcoder `id` is gone (its stream closed, or writing to it failed): its tasks in flight fail with
    /// `.disconnected` and the loss is reported once.
    public func disconnect(_ id: String, reason: String) {
        let (gone, orphaned): (RemoteTranscoder?, [Waiting]) = state.withLock { state in
            guard let gone = state.connected.removeValue(forKey: id) else { return (nil, []) }
            let orphaned = state.waiting.values.filter { $0.transcoderID == id }
            for entry in orphaned {
                state.waiting[entry.task.id] = nil
                state.sources[entry.token] = nil
            }
            return (gone, orphaned)
        }
        guard let gone else { return }
        gone.notifications.finish()
        for entry in orphaned {
            entry.continuation.resume(returning: .failure(.disconnected))
        }
        onEvent(.lost(id: id, reason: reason))
    }

    /// The source segment behind an unguessable token, while its task waits for a result.
    public func sourcePath(token: String) -> String? { state.withLock { $0.sources[token] } }

    /// A POST /transcodeResults: the renditions (in the task's profile order) or the transcoder's error, checked
    /// against the secret and the waiting task; renditions are written to `task.renditionPath(profile:)`.
    /// A transcoder's error arrives as `.transcode(reason)`, an unreadable body as `.badResult(reason)`.
    public func receive(taskID: Int64, credentials: String, result: Result<[RenditionMultipart.Part], TranscoderFailure>) -> ResultReceipt {
        guard accepts(credentials: credentials) else { return .badCredentials }
        guard let entry = take(taskID: taskID, attempt: nil) else { return .unknownTask }
        let outcome: Result<[TranscodedRendition], TranscoderFailure>
        switch result {
        case .failure(let failure): outcome = .failure(failure)
        case .success(let parts): outcome = Self.write(parts, for: entry.task)
        }
        entry.continuation.resume(returning: outcome)
        if case .failure(.badResult(let why)) = outcome { return .rejected(why) }
        return .accepted
    }

    /// Whether `credentials` is the transcoders' secret (compared in constant time); false when none is set.
    public func accepts(credentials: String) -> Bool {
        guard let secret else { return false }
        return Self.equalInConstantTime(Array(credentials.utf8), Array(secret.utf8))
    }

    /// Whether task `taskID` is waiting for a result now.
    public func isWaiting(taskID: Int64) -> Bool { state.withLock { $0.waiting[taskID] != nil } }

    /// Sends `task` on `transcoder`'s stream and waits for its result, its stream's end or the timeout.
    func dispatch(_ task: TranscodeTask, to transcoder: RemoteTranscoder) async throws(TranscoderFailure) -> [TranscodedRendition] {
        guard let random = try? SecureRandom.bytes(32) else { throw .transcode("no randomness for the source token") }
        let token = Hex.encode(random, prefix: false)
        let timeout = taskTimeout
        // The hub's bound and the caller's cancellation (the pool's own timeout) both end the wait through `fail`,
        // which resumes the continuation exactly once; no timer outlives the attempt.
        let result = await withTimeout(timeout, onTimeout: { .failure(.timeout) }) {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Result<[TranscodedRendition], TranscoderFailure>, Never>) in
                    self.admit(task, to: transcoder, token: token, continuation: continuation)
                }
            } onCancel: {
                self.fail(taskID: task.id, token: token, with: .timeout)
            }
        }
        return try result.get()
    }

    /// Registers the waiting attempt and notifies the transcoder; resumes at once when it cannot be sent.
    private func admit(_ task: TranscodeTask, to transcoder: RemoteTranscoder, token: String,
                       continuation: CheckedContinuation<Result<[TranscodedRendition], TranscoderFailure>, Never>) {
        enum Admission { case admitted(attempt: Int, base: String), gone, duplicate }
        let admission: Admission = state.withLock { state in
            guard state.connected[transcoder.id] === transcoder else { return .gone }
            guard state.waiting[task.id] == nil else { return .duplicate }
            state.serial += 1
            state.waiting[task.id] = Waiting(task: task, transcoderID: transcoder.id, attempt: state.serial, token: token,
                                             continuation: continuation)
            state.sources[token] = task.sourcePath
            return .admitted(attempt: state.serial, base: state.base)
        }
        switch admission {
        case .gone: continuation.resume(returning: .failure(.disconnected))
        case .duplicate: continuation.resume(returning: .failure(.badResult("task \(task.id) is already in flight")))
        case .admitted(let attempt, let base):
            if case .terminated = transcoder.notifications.yield(Self.notification(task, url: "\(base)/transcoder/source/\(token)")) {
                fail(taskID: task.id, attempt: attempt, with: .disconnected)
            } else if Task.isCancelled {
                fail(taskID: task.id, attempt: attempt, with: .timeout)
            }
        }
    }

    /// Fails the attempt that holds `token` (a cancelled wait), if it is still waiting.
    private func fail(taskID: Int64, token: String, with failure: TranscoderFailure) {
        let attempt = state.withLock { $0.waiting[taskID].flatMap { $0.token == token ? $0.attempt : nil } }
        if let attempt { fail(taskID: taskID, attempt: attempt, with: failure) }
    }

    private func fail(taskID: Int64, attempt: Int, with failure: TranscoderFailure) {
        take(taskID: taskID, attempt: attempt)?.continuation.resume(returning: .failure(failure))
    }

    /// Removes a waiting task (only that attempt, when given) and its source token.
    private func take(taskID: Int64, attempt: Int?) -> Waiting? {
        state.withLock { state in
            guard let entry = state.waiting[taskID], attempt == nil || entry.attempt == attempt else { return nil }
            state.waiting[taskID] = nil
            state.sources[entry.token] = nil
            return entry
        }
    }

    static func notification(_ task: TranscodeTask, url: String) -> Net_NotifySegment {
        var data = Net_SegData()
        data.manifestID = Data(task.manifest.utf8)
        data.seq = task.seq
        data.duration = task.durationMs
        data.fullProfiles = task.profiles.map(\.wire)
        var notification = Net_NotifySegment()
        notification.url = url
        notification.segData = data
        notification.taskID = task.id
        return notification
    }

    /// The parts written as the task's renditions, one per profile in order.
    static func write(_ parts: [RenditionMultipart.Part], for task: TranscodeTask) -> Result<[TranscodedRendition], TranscoderFailure> {
        guard parts.count == task.profiles.count else {
            return .failure(.badResult("\(parts.count) renditions for \(task.profiles.count) profiles"))
        }
        do {
            try FileManager.default.createDirectory(atPath: task.outputDirectory, withIntermediateDirectories: true)
            return .success(try zip(task.profiles, parts).map { profile, part in
                let file = task.renditionPath(profile: profile)
                try Data(part.bytes).write(to: URL(fileURLWithPath: file))
                return TranscodedRendition(profile: profile, file: file, pixels: part.pixels)
            })
        } catch {
            return .failure(.badResult("writing the renditions: \(error)"))
        }
    }

    static func equalInConstantTime(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
