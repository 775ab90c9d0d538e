import Foundation

/// The log's head as it advances, and the tasks waiting for it to pass a sequence.
final class HeadWatch: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`.
    private let lock = NSLock()
    private var head: LogHead
    private var waiters: [UInt64: (after: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var nextWaiter: UInt64 = 0

    init(head: LogHead) { self.head = head }

    var current: LogHead { lock.withLock { head } }

    func advance(to newHead: LogHead) {
        let ready: [CheckedContinuation<Void, Never>] = lock.withLock {
            head = newHead
            let due = waiters.filter { $0.value.after < newHead.sequence }
            for key in due.keys { waiters.removeValue(forKey: key) }
            return due.map(\.value.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once the head is past `sequence`, or at once when the task is cancelled.
    func wait(after sequence: UInt64) async {
        let token: UInt64 = lock.withLock {
            nextWaiter += 1
            return nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    if head.sequence > sequence || Task.isCancelled { return true }
                    waiters[token] = (sequence, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = lock.withLock { waiters.removeValue(forKey: token)?.continuation }
            continuation?.resume()
        }
    }
}
