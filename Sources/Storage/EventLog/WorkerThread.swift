import Foundation

/// A dedicated thread (never the cooperative pool) with the condition its owner guards its own
/// state with, and an orderly stop: `stop()` raises `stopping`, wakes the thread, and waits until
/// the thread's body has returned. The log's writer, indexer and sync thread each own one.
final class WorkerThread: @unchecked Sendable {
    // @unchecked: `stopping` and `finished` are only touched under `condition`.
    /// Guards the owner's state as well as the stop flags; the owner waits and signals on it.
    let condition = NSCondition()
    private var stopping = false
    private var finished = false
    private let name: String

    init(name: String) { self.name = name }

    /// Runs `body` on the new thread; the thread ends when `body` returns. Call once, after the
    /// owner is fully initialized (the body usually reads the owner's state).
    func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            body()
            condition.withLock {
                finished = true
                condition.broadcast()
            }
        }
        thread.name = name
        thread.start()
    }

    /// Whether a stop was asked for. Read it while holding `condition`.
    var isStopping: Bool { stopping }

    /// Asks the body to finish (it sees `isStopping`), then waits until it has returned.
    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
            while !finished { condition.wait() }
        }
    }
}
