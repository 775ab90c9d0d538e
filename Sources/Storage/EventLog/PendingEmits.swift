import Foundation
import Synchronization

/// The bookkeeping of a sink whose `emit` does not wait: the work still in flight (so `flush()` can wait for it)
/// and a bounded record of the problems met: how many, and the last one's reason (never silently dropped).
public final class PendingEmits: Sendable {
    /// How many problems were recorded, and the last one's text.
    private let failures = Mutex<(count: Int, last: String?)>((0, nil))
    /// The work handed off and not finished (a DispatchGroup is thread-safe).
    private let inFlight = DispatchGroup()

    public init() {}

    /// Work handed off; pair each call with one `finished`.
    public func started() { inFlight.enter() }

    /// The work handed off by one `started` is done; `problem` says what went wrong, if anything.
    public func finished(problem: String? = nil) {
        if let problem { record(problem) }
        inFlight.leave()
    }

    /// Counts a problem and keeps its text as the last one.
    public func record(_ problem: String) {
        failures.withLock { failures in
            failures.count += 1
            failures.last = problem
        }
    }

    /// Waits (off the cooperative pool) until all work started before the call has finished.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            inFlight.notify(queue: .global()) { continuation.resume() }
        }
    }

    /// How many problems were recorded.
    public var failureCount: Int { failures.withLock { $0.count } }

    /// The last problem recorded, with its reason (nil when none was).
    public var lastFailure: String? { failures.withLock { $0.last } }
}
