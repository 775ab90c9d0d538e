public import EventModel
import Synchronization

/// The simulation's time: it moves only when the driver advances it, so a seed's run stamps the same events with the
/// same times however fast or slow the machine is.
public final class VirtualClock: EventClock, Sendable {
    private let now: Mutex<Int64>

    public init(start: Int64) { now = Mutex(start) }

    public func nowMilliseconds() -> Int64 { now.withLock { $0 } }

    /// Seconds since the epoch (what the edge passes the orchestrator as `now`).
    public var seconds: Int64 { nowMilliseconds() / 1_000 }

    public func advance(milliseconds: Int64) { now.withLock { $0 += max(0, milliseconds) } }
}
