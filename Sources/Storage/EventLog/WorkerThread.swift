import EventModel
import Foundation

/// A dedicated thread (never the cooperative pool) whose end can be waited for. Its owner keeps the stop
/// request in its own `Monitor` state, wakes the thread, then calls `join()`. The log's writer, indexer and
/// sync thread each own one.
final class WorkerThread: Sendable {
    private let finished = Monitor(false)
    private let name: String

    init(name: String) { self.name = name }

    /// Runs `body` on the new thread; the thread ends when `body` returns. Call once, after the
    /// owner is fully initialized (the body usually reads the owner's state).
    func start(_ body: @escaping @Sendable () -> Void) {
        let finished = finished
        let thread = Thread {
            body()
            finished.withLock { $0 = true }
            finished.broadcast()
        }
        thread.name = name
        thread.start()
    }

    /// Blocks until the body has returned.
    func join() { finished.withLock(waitingUntil: { $0 }) { _ in } }
}
