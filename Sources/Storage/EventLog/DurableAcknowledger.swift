import EventModel
import Foundation
import LMDB

/// Acknowledges durable commits off the writer thread. The log's environment is opened with
/// MDB_NOMETASYNC: each commit fsyncs its data pages, then writes (without syncing) the meta page
/// that points at them. This thread then syncs the meta page once for every commit waiting, and
/// only then answers their appenders — as durable as LMDB's default two-fsync commit, in the same
/// order (data before meta, so a crash can lose only unacknowledged commits, never corrupt), while
/// the writer already builds the next transaction.
final class DurableAcknowledger: Sendable {
    typealias Acknowledgement = @Sendable ((any Error)?) -> Void
    private struct State {
        var waiting: [Acknowledgement] = []
        var stopping = false
    }

    private let environment: LMDBEnvironment
    private let state = Monitor(State())
    private let worker = WorkerThread(name: "streamflow.log-sync")

    init(environment: LMDBEnvironment) {
        self.environment = environment
        worker.start { [unowned self] in self.run() }
    }

    /// Runs `acknowledge` once everything committed so far is synced (with the error if the sync failed).
    func afterSync(_ acknowledge: @escaping Acknowledgement) {
        state.withLock { $0.waiting.append(acknowledge) }
        state.signal()
    }

    /// Syncs and acknowledges what is waiting, then stops the thread.
    func stop() {
        state.withLock { $0.stopping = true }
        state.broadcast()
        worker.join()
    }

    private func run() {
        while true {
            let (batch, finishing) = state.withLock(waitingUntil: { !$0.waiting.isEmpty || $0.stopping }) { state in
                defer { state.waiting.removeAll(keepingCapacity: true) }
                return (state.waiting, state.stopping)
            }
            if !batch.isEmpty {
                // A failed sync is reported to every appender waiting on it: their events may be
                // committed but their durability is not confirmed (a retry with the same id is safe).
                var failure: (any Error)?
                do { try environment.sync(force: true) } catch {
                    failure = EventLogError.storage("fsync failed, durability not confirmed: \(error)")
                }
                for acknowledge in batch { acknowledge(failure) }
            }
            if finishing && batch.isEmpty { return }
        }
    }
}
