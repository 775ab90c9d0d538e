import Synchronization
import Telemetry
import Testing

/// Repeated refusals under hostile traffic are logged a bounded number of times per window, and the next line
/// let through says how many were dropped; kinds are limited apart, and the table of kinds is bounded.
@Suite("log rate limiter")
struct LogRateLimiterTests {
    final class Clock: Sendable {
        let ms = Atomic<UInt64>(0)
        var now: @Sendable () -> UInt64 { { self.ms.load(ordering: .relaxed) } }
    }

    @Test("3 lines per 1 s window: a flood of 500 logs 3, the next window's first line reports the 498 dropped")
    func flood() {
        let clock = Clock()
        let limiter = LogRateLimiter(linesPerWindow: 3, windowMs: 1_000, now: clock.now)
        let admitted = (0..<500).compactMap { _ in limiter.admit("refused.bad-payment") }
        #expect(admitted == [0, 0, 0])
        #expect(limiter.admit("refused.bad-signature") == 0, "another kind is limited apart")
        clock.ms.add(999, ordering: .relaxed)
        #expect(limiter.admit("refused.bad-payment") == nil)
        clock.ms.add(1, ordering: .relaxed)
        #expect(limiter.admit("refused.bad-payment") == 498)
        #expect(limiter.admit("refused.bad-payment") == 0)
    }

    @Test("kinds beyond maxKeys share one window instead of growing the table")
    func boundedKinds() {
        let limiter = LogRateLimiter(linesPerWindow: 1, windowMs: 60_000, maxKeys: 2, now: Clock().now)
        #expect(limiter.admit("a") == 0 && limiter.admit("b") == 0)
        #expect(limiter.admit("c") == 0, "the first of the rest opens the shared window")
        #expect(limiter.admit("d") == nil && limiter.admit("e") == nil, "the rest share it")
        #expect(limiter.admit("a") == nil, "a keeps its own window")
    }
}
