#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where event timestamps come from. The domain core never reads a clock itself: one is injected.
public protocol EventClock: Sendable {
    /// Milliseconds since the Unix epoch.
    func nowMilliseconds() -> Int64
}

/// A clock that returns a fixed time advanced by a fixed step per call: for tests and recorded scenarios.
public final class SteppingClock: EventClock, Sendable {
    private let next: Mutex<Int64>
    private let step: Int64

    public init(start: Int64, stepMilliseconds: Int64 = 1) {
        next = Mutex(start)
        step = stepMilliseconds
    }

    public func nowMilliseconds() -> Int64 {
        next.withLock { next in
            defer { next += step }
            return next
        }
    }
}

/// The system's real-time clock, for nodes to inject (the domain core never calls it on its own).
public struct SystemClock: EventClock {
    public init() {}
    public func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }
}
