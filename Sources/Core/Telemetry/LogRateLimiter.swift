import Dispatch
import Synchronization

/// Keeps repeated log lines from flooding the log under hostile traffic: per key (e.g. a refusal's reason), at
/// most `linesPerWindow` lines in each `windowMs`; the rest are dropped and counted, and the next line let
/// through says how many were dropped. Metrics keep the exact counts. At most `maxKeys` keys are tracked (the
/// rest share one). Time is the injected `now` (milliseconds, monotonic).
public final class LogRateLimiter: Sendable {
    private struct Window {
        var startMs: UInt64
        var logged = 0
        var suppressed = 0
    }

    public let linesPerWindow: Int
    public let windowMs: UInt64
    public let maxKeys: Int
    private let now: @Sendable () -> UInt64
    private let windows = Mutex<[String: Window]>([:])

    /// The process's limiter, shared by every component's `Reporter` (kinds carry the component).
    public static let process = LogRateLimiter()

    /// The key lines share once `maxKeys` distinct keys are tracked.
    public static let overflowKey = "(other)"

    public init(linesPerWindow: Int = 10, windowMs: UInt64 = 10_000, maxKeys: Int = 256,
                now: @escaping @Sendable () -> UInt64 = LogRateLimiter.monotonicMilliseconds) {
        self.linesPerWindow = max(1, linesPerWindow)
        self.windowMs = max(1, windowMs)
        self.maxKeys = max(1, maxKeys)
        self.now = now
    }

    /// Whether a line for `key` may be logged now: nil to drop it, else how many lines of this key were
    /// dropped since the last one logged (to be said in this line).
    public func admit(_ key: String) -> Int? {
        let time = now()
        return windows.withLock { windows -> Int? in
            let key = windows[key] != nil || windows.count < maxKeys ? key : Self.overflowKey
            var window = windows[key] ?? Window(startMs: time)
            if time >= window.startMs &+ windowMs {
                let dropped = window.suppressed
                window = Window(startMs: time, logged: 1)
                windows[key] = window
                return dropped
            }
            guard window.logged < linesPerWindow else {
                window.suppressed += 1
                windows[key] = window
                return nil
            }
            window.logged += 1
            let dropped = window.suppressed
            window.suppressed = 0
            windows[key] = window
            return dropped
        }
    }

    /// Milliseconds since boot, the production clock.
    @Sendable public static func monotonicMilliseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }
}
