import Foundation
import LMDB

/// Acknowledges durable commits off the writer thread. The log's environment is opened with
/// MDB_NOMETASYNC: each commit fsyncs its data pages, then writes (without syncing) the meta page
/// that points at them. This thread then syncs the meta page once for every commit waiting, and
/// only then answers their appenders — as durable as LMDB's default two-fsync commit, in the same
/// order (data before meta, so a crash can lose only unacknowledged commits, never corrupt), while
/// the writer already builds the next transaction.
final class DurableAcknowledger: @unchecked Sendable {
    // @unchecked: `waiting` is guarded by the worker's condition.
    private let environment: LMDBEnvironment
    private var waiting: [((any Error)?) -> Void] = []
    private let worker = WorkerThread(name: "streamflow.log-sync")
    private var condition: NSCondition { worker.condition }

    init(environment: LMDBEnvironment) {
        self.environment = environment
        worker.start { [unowned self] in self.run() }
    }

    /// Runs `acknowledge` once everything committed so far is synced (with the error if the sync failed).
    func afterSync(_ acknowledge: @escaping ((any Error)?) -> Void) {
        condition.withLock {
            waiting.append(acknowledge)
            condition.signal()
        }
    }

    /// Syncs and acknowledges what is waiting, then stops the thread.
    func stop() { worker.stop() }

    private func run() {
        while true {
            let (batch, finishing): ([((any Error)?) -> Void], Bool) = condition.withLock {
                while waiting.isEmpty && !worker.isStopping { condition.wait() }
                defer { waiting.removeAll(keepingCapacity: true) }
                return (waiting, worker.isStopping)
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
