import EventModel
import Foundation
import Synchronization
import LMDB

/// Builds the id, topic and key indexes behind the writer, on its own thread: it reads the events
/// after its checkpoint, sorts their index entries by key, and writes them with the new checkpoint
/// in one transaction of the index's own environment (so it never takes the writer's lock). Large sorted batches touch each index page once per batch instead of once
/// per commit. Scans stay exact: the index answers up to the checkpoint, a filtered walk the rest.
final class LogIndexer: Sendable {
    private struct State {
        var target: UInt64 = 0
        var stopping = false
    }

    private let environment: LMDBEnvironment
    private let databases: LogDatabases
    private let index: IndexStore
    private let worker = WorkerThread(name: "streamflow.log-indexer")
    private let state = Monitor(State())
    /// Serializes catch-ups (the thread's and any caller's).
    private let indexLock = Mutex(())
    /// Events per index transaction.
    static let batchLimit = 32_768
    /// How long the indexer lets events accumulate before indexing them.
    static let delayNanoseconds: Int64 = 50_000_000
    /// How long the indexer waits before retrying after a storage error.
    static let retryNanoseconds: Int64 = 1_000_000_000

    init(environment: LMDBEnvironment, databases: LogDatabases, index: IndexStore) {
        self.environment = environment
        self.databases = databases
        self.index = index
        worker.start { [unowned self] in self.run() }
    }

    /// The writer committed up to `sequence`.
    func notify(head sequence: UInt64) {
        state.withLock { $0.target = max($0.target, sequence) }
        state.signal()
    }

    /// Indexes what is pending, then stops the thread.
    func stop() {
        state.withLock { $0.stopping = true }
        state.broadcast()
        worker.join()
    }

    private func run() {
        var indexed = (try? indexedThrough()) ?? 0
        while true {
            let finishing = state.withLock(waitingUntil: { $0.stopping || $0.target > indexed }) { $0.stopping }
            // Let a batch accumulate (a stop request ends the wait at once).
            let goal = state.withLock(waitingUntil: { $0.stopping }, atMostNanoseconds: finishing ? 0 : Self.delayNanoseconds) {
                $0.stopping ? UInt64.max : $0.target
            }
            do {
                indexed = try catchUp(through: goal)
            } catch {
                // Storage trouble: retry later, never spin (a stop request ends the wait at once).
                state.withLock(waitingUntil: { $0.stopping }, atMostNanoseconds: Self.retryNanoseconds) { _ in }
            }
            if goal == .max { return }
        }
    }

    /// The last sequence the topic/key indexes cover.
    func indexedThrough() throws -> UInt64 { try index.indexedThrough() }

    /// Indexes stored events up to `sequence` (or the head, whichever is lower); returns the checkpoint.
    @discardableResult
    func catchUp(through sequence: UInt64) throws -> UInt64 {
        try indexLock.withLock { _ in
            var indexed = try indexedThrough()
            while indexed < sequence {
                var batches = IndexBatches(capacity: Self.batchLimit)
                var last = indexed
                let databases = databases
                try environment.read { transaction in
                    try transaction.forEach(in: databases.events, from: LogDatabases.encodeSequence(indexed + 1)) { key, value in
                        let current = LogDatabases.decodeSequence(key)
                        guard current <= sequence, value.count > 64 else { return false }
                        try batches.add(content: UnsafeRawBufferPointer(rebasing: value[0..<(value.count - 64)]), sequence: current)
                        last = current
                        return current - indexed < UInt64(Self.batchLimit)
                    }
                }
                guard last > indexed else { return indexed }
                batches.sort()
                let checkpoint = last
                let index = index
                try index.environment.write { transaction in
                    try batches.write(into: index, checkpoint: checkpoint, in: &transaction)
                }
                indexed = checkpoint
            }
            return indexed
        }
    }

    /// Rebuilds every index from a walk of the events up to the head, in one transaction of the
    /// index environment (`replay verify --repair`): a crash leaves the old index or the new one.
    /// Returns the new checkpoint.
    @discardableResult
    func rebuild() throws -> UInt64 {
        try indexLock.withLock { _ in
            var batches = IndexBatches(capacity: 4_096)
            var last: UInt64 = 0
            let databases = databases
            try environment.read { transaction in
                try transaction.forEach(in: databases.events) { key, value in
                    let current = LogDatabases.decodeSequence(key)
                    guard value.count > 64 else { throw EventLogError.corrupt(sequence: current, reason: "stored value too short") }
                    let content = UnsafeRawBufferPointer(rebasing: value[0..<(value.count - 64)])
                    do { try batches.add(content: content, sequence: current) } catch {
                        throw EventLogError.corrupt(sequence: current, reason: "\(error)")
                    }
                    last = current
                    return true
                }
            }
            batches.sort()
            let index = index
            try index.environment.write { transaction in
                try transaction.clear(index.ids)
                try transaction.clear(index.topics)
                try transaction.clear(index.keys)
                try batches.write(into: index, checkpoint: last, in: &transaction)
            }
            return last
        }
    }
}
