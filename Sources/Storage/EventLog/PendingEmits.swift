import Foundation

/// The bookkeeping of a sink whose `emit` does not wait: the work still in flight (so `flush()` can wait for it)
/// and the problems met, each with its reason (a node's bug or a failed write, never silently dropped).
public final class PendingEmits: @unchecked Sendable {
    // @unchecked: `issues` is guarded by `lock`; `inFlight` is a DispatchGroup (thread-safe).
    private let lock = NSLock()
    private var issues: [String] = []
    private let inFlight = DispatchGroup()

    public init() {}

    /// Work handed off; pair each call with one `finished`.
    public func started() { inFlight.enter() }

    /// The work handed off by one `started` is done; `problem` says what went wrong, if anything.
    public func finished(problem: String? = nil) {
        if let problem { record(problem) }
        inFlight.leave()
    }

    public func record(_ problem: String) { lock.withLock { issues.append(problem) } }

    /// Waits (off the cooperative pool) until all work started before the call has finished.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            inFlight.notify(queue: .global()) { continuation.resume() }
        }
    }

    public var problems: [String] { lock.withLock { issues } }
}
