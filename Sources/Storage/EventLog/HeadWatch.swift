import Synchronization

/// The log's head as it advances, and the tasks waiting for it to pass a sequence.
final class HeadWatch: Sendable {
    private struct State {
        var head: LogHead
        var waiters: [UInt64: (after: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state: Mutex<State>

    init(head: LogHead) { state = Mutex(State(head: head)) }

    var current: LogHead { state.withLock { $0.head } }

    func advance(to newHead: LogHead) {
        let ready: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.head = newHead
            let due = state.waiters.filter { $0.value.after < newHead.sequence }
            for key in due.keys { state.waiters.removeValue(forKey: key) }
            return due.map(\.value.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once the head is past `sequence`, or at once when the task is cancelled.
    func wait(after sequence: UInt64) async {
        let token: UInt64 = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { state in
                    if state.head.sequence > sequence || Task.isCancelled { return true }
                    state.waiters[token] = (sequence, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { $0.waiters.removeValue(forKey: token)?.continuation }
            continuation?.resume()
        }
    }
}
