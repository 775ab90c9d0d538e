import Dispatch
import Foundation
public import Broadcaster
public import Transcoding

/// The streams a broadcaster node is ingesting: one `StreamBroadcaster` and `LiveOutput` per manifest,
/// created on its first segment by `makeStream`, and each stream's segments handled strictly in arrival
/// order (a second PUT waits for the first). A seq already delivered is answered with its first outcome
/// (not sent or paid again, not listed twice); a seq older than the newest published one is too late for a
/// live playlist and refused. At most `maxStreams` manifests are live: a new one evicts the least recently
/// pushed idle stream (its playlist ended), or is refused when every stream is busy. A stream with no push
/// for `idleTimeoutMs` is ended and forgotten. A stream made again (after a restart, or after it was ended)
/// resumes from what it published before, as `makeStream` finds it in the log.
public actor StreamSessions {
    /// A stream being broadcast: its sender, its HLS output, and what it had published before it was made.
    public struct Stream: Sendable {
        public let broadcaster: StreamBroadcaster
        public let output: LiveOutput
        public let published: [PublishedSegments.Segment]
        public init(broadcaster: StreamBroadcaster, output: LiveOutput, published: [PublishedSegments.Segment] = []) {
            self.broadcaster = broadcaster
            self.output = output
            self.published = published
        }
    }

    /// What became of one pushed segment.
    public enum Handled: Sendable {
        /// Sent (delivered or lost): the outcome.
        case sent(SegmentOutcome)
        /// Delivered before: who delivered it and how long it took, nothing sent again.
        case duplicate(Delivery)
        /// Older than the newest segment already published.
        case tooLate(newest: Int64)
        /// `maxStreams` manifests are live and none is idle.
        case tooManyStreams(limit: Int)
    }

    /// A published segment as a duplicate push is answered (its renditions are on disk, not kept here).
    public struct Delivery: Sendable, Equatable {
        public let by: String
        public let latencyMs: Int64
    }

    /// One manifest's state: its stream, what it published, and its queue.
    private struct Session {
        let stream: Stream
        var delivered: [Int64: Delivery] = [:]
        var newest: Int64?
        var tail: Task<Void, Never>?
        var busy = 0
        var lastUsed: UInt64 = 0
        var lastPushMs: UInt64 = 0

        init(stream: Stream) {
            self.stream = stream
            for segment in stream.published.suffix(StreamSessions.rememberedPerStream) {
                delivered[segment.seq] = Delivery(by: segment.by, latencyMs: segment.latencyMs)
            }
            newest = stream.published.last?.seq
        }
    }

    /// Deliveries kept per stream for duplicate answers (the newest ones).
    public static let rememberedPerStream = 64

    public let maxStreams: Int
    public let idleTimeoutMs: UInt64
    private let makeStream: @Sendable (String) throws -> Stream
    private let now: @Sendable () -> UInt64
    private var sessions: [String: Session] = [:]
    private var clock: UInt64 = 0
    private var reaper: Task<Void, Never>?

    /// `now` is a monotonic clock in milliseconds (injected for tests).
    public init(maxStreams: Int = 1_000, idleTimeoutMs: UInt64 = 60_000,
                now: @escaping @Sendable () -> UInt64 = StreamTranscoderTable.monotonicMilliseconds,
                makeStream: @escaping @Sendable (String) throws -> Stream) {
        self.maxStreams = max(1, maxStreams)
        self.idleTimeoutMs = max(1, idleTimeoutMs)
        self.now = now
        self.makeStream = makeStream
    }

    /// Sends one pushed segment through its stream and publishes it to the stream's HLS output.
    public func handle(manifest: String, segment: BroadcastSegment) async throws -> Handled {
        if sessions[manifest] == nil {
            guard evictIdle() else { return .tooManyStreams(limit: maxStreams) }
            sessions[manifest] = Session(stream: try makeStream(manifest))
        }
        clock += 1
        sessions[manifest]?.lastUsed = clock
        sessions[manifest]?.busy += 1
        sessions[manifest]?.lastPushMs = now()
        defer {
            sessions[manifest]?.busy -= 1
            sessions[manifest]?.lastPushMs = now()
            armReaper()
        }
        let previous = sessions[manifest]?.tail
        let work = Task { () -> Handled in
            await previous?.value
            return await self.publish(segment, in: manifest)
        }
        sessions[manifest]?.tail = Task { _ = await work.value }
        return await work.value
    }

    /// One segment, first in its stream's queue: answered from what was published, or sent and published.
    private func publish(_ segment: BroadcastSegment, in manifest: String) async -> Handled {
        guard let session = sessions[manifest] else { return .tooManyStreams(limit: maxStreams) }
        if let earlier = session.delivered[segment.seq] { return .duplicate(earlier) }
        if let newest = session.newest, segment.seq <= newest { return .tooLate(newest: newest) }
        let outcome = await session.stream.broadcaster.send(segment)
        if let by = outcome.deliveredBy {
            try? session.stream.output.append(seq: segment.seq, duration: Double(segment.durationMs) / 1_000,
                                              renditions: outcome.renditions)
            remember(Delivery(by: by, latencyMs: outcome.latencyMs), seq: segment.seq, in: manifest)
        }
        return .sent(outcome)
    }

    private func remember(_ delivery: Delivery, seq: Int64, in manifest: String) {
        guard var session = sessions[manifest] else { return }
        session.delivered[seq] = delivery
        session.newest = max(session.newest ?? seq, seq)
        if session.delivered.count > Self.rememberedPerStream, let oldest = session.delivered.keys.min() {
            session.delivered[oldest] = nil
        }
        sessions[manifest] = session
    }

    /// Room for one more stream: true when under the cap, or after ending the least recently used idle one.
    private func evictIdle() -> Bool {
        guard sessions.count >= maxStreams else { return true }
        guard let (manifest, session) = sessions.filter({ $0.value.busy == 0 }).min(by: { $0.value.lastUsed < $1.value.lastUsed }) else {
            return false
        }
        try? session.stream.output.finish()
        sessions[manifest] = nil
        return true
    }

    /// Ends and forgets every stream with no push for the idle timeout (its playlist gets ENDLIST); returns
    /// their manifests.
    @discardableResult
    public func endIdle() -> [String] {
        let time = now()
        let idle = sessions.filter { $0.value.busy == 0 && time >= $0.value.lastPushMs &+ idleTimeoutMs }.map(\.key).sorted()
        for manifest in idle {
            try? sessions[manifest]?.stream.output.finish()
            sessions[manifest] = nil
        }
        return idle
    }

    /// One task that wakes when the stalest stream would turn idle, ends what is idle, and stops when no
    /// stream is left (started again by the next push).
    private func armReaper() {
        guard reaper == nil else { return }
        reaper = Task {
            while let wait = await self.untilNextIdle() {
                try? await Task.sleep(for: .milliseconds(Int64(clamping: wait)))
                if Task.isCancelled { return }
                await self.endIdle()
            }
        }
    }

    /// Milliseconds until the stalest waiting stream is idle, or nil (and the reaper ends) when none is live.
    private func untilNextIdle() -> UInt64? {
        guard !sessions.isEmpty else {
            reaper = nil
            return nil
        }
        guard let stalest = sessions.values.filter({ $0.busy == 0 }).map(\.lastPushMs).min() else { return idleTimeoutMs }
        let deadline = stalest &+ idleTimeoutMs, time = now()
        return max(1, deadline > time ? deadline - time : 1)
    }

    /// Ends every stream's playlists (ENDLIST) once their queued segments are done.
    public func finishAll() async {
        reaper?.cancel()
        reaper = nil
        for (_, session) in sessions {
            await session.tail?.value
            try? session.stream.output.finish()
        }
    }

    /// The manifests live now.
    public var manifests: [String] { sessions.keys.sorted() }
}
