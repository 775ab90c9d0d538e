public import Dispatch
internal import CFFmpeg
import Synchronization

/// The per-stream transcoders one worker keeps (each stream's decoder and encoders, ~18 MB for a two-rung
/// ladder, and its serial queue): at most `limits.maxStreams` of them, each released once it has been idle
/// for `limits.idleTimeout`, the least recently used idle one making room for a new stream, and a new
/// stream refused when every one is busy. Time is the injected `now` (milliseconds, monotonic).
public final class StreamTranscoderTable: Sendable {
    /// How many streams may hold encoders, and how long an idle one keeps them.
    public struct Limits: Sendable, Equatable {
        public var maxStreams: Int
        public var idleTimeoutMs: UInt64
        public init(maxStreams: Int = 256, idleTimeoutMs: UInt64 = 60_000) {
            self.maxStreams = max(1, maxStreams)
            self.idleTimeoutMs = max(1, idleTimeoutMs)
        }
    }

    /// A stream's transcoder checked out for one segment; give it back with `release`.
    public struct Lease: Sendable {
        public let key: String
        public let transcoder: StreamTranscoder
        public let queue: DispatchQueue
    }

    /// Why a stream got no transcoder.
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        /// `limit` streams hold encoders and every one is transcoding.
        case full(limit: Int)
        /// The ladder cannot be transcoded to (e.g. empty).
        case cannotCreate(String)

        public var description: String {
            switch self {
            case .full(let limit): "\(limit) streams are being transcoded here and none is idle"
            case .cannotCreate(let why): "no transcoder for this stream: \(why)"
            }
        }
    }

    private struct Entry {
        let transcoder: StreamTranscoder
        let queue: DispatchQueue
        var inUse = 0
        var lastUsedMs: UInt64
    }

    public let limits: Limits
    private let now: @Sendable () -> UInt64
    private let entries = Mutex<[String: Entry]>([:])

    public init(limits: Limits = Limits(), now: @escaping @Sendable () -> UInt64 = StreamTranscoderTable.monotonicMilliseconds) {
        self.limits = limits
        self.now = now
    }

    /// The stream's transcoder (made by `make` on its first segment), checked out until `release`.
    public func acquire(_ key: String, queueLabel: String,
                        make: () throws(TranscodeError) -> StreamTranscoder) throws(Refusal) -> Lease {
        let time = now()
        return try entries.withLock { (entries) throws(Refusal) -> Lease in
            Self.dropIdle(&entries, now: time, timeout: limits.idleTimeoutMs)
            if var entry = entries[key] {
                entry.inUse += 1
                entry.lastUsedMs = time
                entries[key] = entry
                return Lease(key: key, transcoder: entry.transcoder, queue: entry.queue)
            }
            if entries.count >= limits.maxStreams {
                guard let victim = entries.filter({ $0.value.inUse == 0 }).min(by: { $0.value.lastUsedMs < $1.value.lastUsedMs }) else {
                    throw .full(limit: limits.maxStreams)
                }
                entries[victim.key] = nil
            }
            let transcoder: StreamTranscoder
            do throws(TranscodeError) { transcoder = try make() } catch { throw .cannotCreate(error.description) }
            let entry = Entry(transcoder: transcoder, queue: DispatchQueue(label: queueLabel), inUse: 1, lastUsedMs: time)
            entries[key] = entry
            return Lease(key: key, transcoder: transcoder, queue: entry.queue)
        }
    }

    /// Gives a checked-out transcoder back; its idle time starts now.
    public func release(_ lease: Lease) {
        let time = now()
        entries.withLock { entries in
            guard var entry = entries[lease.key] else { return }
            entry.inUse = max(0, entry.inUse - 1)
            entry.lastUsedMs = time
            entries[lease.key] = entry
        }
    }

    /// Gives a checked-out transcoder back and, once the idle timeout has passed, releases whatever is idle by
    /// then (one timer per finished segment, not a poll).
    public func releaseAndSweepWhenIdle(_ lease: Lease) {
        release(lease)
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .milliseconds(Int(limits.idleTimeoutMs))) {
            self.releaseIdle()
        }
    }

    /// Releases every stream idle for the timeout or longer; returns how many were released.
    @discardableResult
    public func releaseIdle() -> Int {
        let time = now()
        let released = entries.withLock { Self.dropIdle(&$0, now: time, timeout: limits.idleTimeoutMs) }
        // Encoders free many large blocks across malloc's per-thread arenas; give the now-empty pages back.
        if released > 0 { _ = sf_release_free_memory() }
        return released
    }

    /// Streams holding a transcoder now.
    public var count: Int { entries.withLock { $0.count } }

    @discardableResult
    private static func dropIdle(_ entries: inout [String: Entry], now: UInt64, timeout: UInt64) -> Int {
        let idle = entries.filter { $0.value.inUse == 0 && now >= $0.value.lastUsedMs &+ timeout }.map(\.key)
        for key in idle { entries[key] = nil }
        return idle.count
    }

    /// Milliseconds since boot (CLOCK_MONOTONIC via Dispatch), the production clock.
    @Sendable public static func monotonicMilliseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }
}
