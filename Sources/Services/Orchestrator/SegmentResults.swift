import Synchronization
public import Wire

/// The results of segments already transcoded, by (stream, seq), so a resubmission of the same segment gets the
/// same result instead of a second transcode that rewrites the renditions under a broadcaster reading them.
/// Bounded: past `limit` entries the oldest finished one is forgotten; a table full of segments in flight
/// (more than any capacity allows) refuses new ones.
public final class SegmentResults: Sendable {
    /// What a submission of (stream, seq) with some body hash finds.
    public enum Claim: Equatable, Sendable {
        /// Never seen (or forgotten): transcode it, then `finish` or `abandon`.
        case fresh
        /// Transcoded before from the same bytes: this is its result.
        case done(Net_TranscodeResult)
        /// Transcoded before from other bytes.
        case otherContent
        /// The first submission is still being transcoded.
        case inFlight
        /// The table holds `limit` segments in flight.
        case full
    }

    private enum Entry {
        case inFlight(hash: [UInt8])
        case done(hash: [UInt8], result: Net_TranscodeResult)
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var head = 0
    }

    public let limit: Int
    private let state = Mutex(State())

    public init(limit: Int = 4_096) { self.limit = max(1, limit) }

    /// Looks (stream, seq) up; when it is new, records it as in flight under `hash`.
    public func claim(stream: String, seq: Int64, hash: [UInt8]) -> Claim {
        let key = "\(stream)/\(seq)"
        return state.withLock { state in
            switch state.entries[key] {
            case .inFlight(let known)?: return known == hash ? .inFlight : .otherContent
            case .done(let known, let result)?: return known == hash ? .done(result) : .otherContent
            case nil:
                guard Self.makeRoom(&state, limit: limit) else { return .full }
                state.entries[key] = .inFlight(hash: hash)
                state.order.append(key)
                if state.order.count > 2 * limit { Self.compact(&state) }
                return .fresh
            }
        }
    }

    /// Records the result of a claimed segment.
    public func finish(stream: String, seq: Int64, hash: [UInt8], result: Net_TranscodeResult) {
        state.withLock { $0.entries["\(stream)/\(seq)"] = .done(hash: hash, result: result) }
    }

    /// Forgets a claimed segment whose transcode failed, so it can be submitted again.
    public func abandon(stream: String, seq: Int64) {
        _ = state.withLock { $0.entries.removeValue(forKey: "\(stream)/\(seq)") }
    }

    /// Segments remembered now (in flight or done).
    public var count: Int { state.withLock { $0.entries.count } }

    /// Rewrites the age order with only the keys still held, once each: drops the prefix already walked by
    /// `makeRoom` and the stale keys abandoned segments leave behind.
    private static func compact(_ state: inout State) {
        var seen = Set<String>()
        state.order = state.order[state.head...].filter { state.entries[$0] != nil && seen.insert($0).inserted }
        state.head = 0
    }

    /// The age-order keys kept now, walked prefix included (bounded by twice the limit).
    var orderCount: Int { state.withLock { $0.order.count } }

    /// Forgets the oldest finished entries until there is room for one more; false when every entry is in flight.
    private static func makeRoom(_ state: inout State, limit: Int) -> Bool {
        var remaining = state.order.count - state.head
        while state.entries.count >= limit, remaining > 0 {
            let key = state.order[state.head]
            state.head += 1
            remaining -= 1
            switch state.entries[key] {
            case .inFlight?: state.order.append(key)  // still running: keep it, look further
            case .done?: state.entries.removeValue(forKey: key)
            case nil: break
            }
        }
        return state.entries.count < limit
    }
}
