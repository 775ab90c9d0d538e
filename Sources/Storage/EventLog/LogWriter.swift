import EthCrypto
import EventModel
import Foundation
import LMDB

/// The log's single writer: a dedicated thread (never the cooperative pool) that drains every
/// pending append into one LMDB transaction and commits it once — group commit. With fsync
/// durability, N concurrent appenders share one fsync. It writes only the events: idempotency is
/// checked against `RecentIDs` and the index's ids, and every index is built behind it by `LogIndexer`,
/// so a commit dirties the sequential event pages and not one random id-index page per event.
final class LogWriter: Sendable {
    struct Request {
        let events: [PreparedEvent]
        let completion: @Sendable (Result<[AppendOutcome], any Error>) -> Void
    }

    private let environment: LMDBEnvironment
    private let databases: LogDatabases
    private let index: IndexStore
    private let recentIDs: RecentIDs
    private let maxBatchEvents: Int
    private let worker = WorkerThread(name: "streamflow.log-writer")
    private struct State {
        var pending: [Request] = []
        var head: LogHead
        /// Requests the previous commit carried (drives the group-commit delay).
        var lastBatchRequests = 0
        var committed = (commits: 0, events: 0)
        var stopping = false
    }
    private let state: Monitor<State>
    /// Called after every commit with the new head (wakes tails and projections).
    private let onCommit: @Sendable (LogHead) -> Void
    /// With fsync durability, answers appenders once their commit's meta page is synced.
    private let acknowledger: DurableAcknowledger?

    init(environment: LMDBEnvironment, databases: LogDatabases, index: IndexStore, recentIDs: RecentIDs, head: LogHead,
         maxBatchEvents: Int, acknowledger: DurableAcknowledger?, onCommit: @escaping @Sendable (LogHead) -> Void) {
        self.index = index
        self.recentIDs = recentIDs
        self.acknowledger = acknowledger
        self.environment = environment
        self.databases = databases
        state = Monitor(State(head: head))
        self.maxBatchEvents = maxBatchEvents
        self.onCommit = onCommit
        worker.start { [unowned self] in self.run() }
    }

    var currentHead: LogHead { state.withLock { $0.head } }

    /// Commits made and events they carried since the log was opened.
    var statistics: (commits: Int, events: Int) { state.withLock { $0.committed } }

    /// Queues events; `completion` runs on the writer thread once they are committed (or failed).
    func submit(_ events: [PreparedEvent], completion: @escaping @Sendable (Result<[AppendOutcome], any Error>) -> Void) {
        let wake = state.withLock { state -> Bool? in
            guard !state.stopping else { return nil }
            state.pending.append(Request(events: events, completion: completion))
            // Wake the writer only when it has something to act on: the first request, or enough
            // to end its group-commit delay (64 appenders otherwise cause 64 wake-ups per commit).
            return state.pending.count == 1 || state.pending.count >= state.lastBatchRequests
        }
        switch wake {
        case nil: completion(.failure(EventLogError.closed))
        case true?: state.signal()
        case false?: break
        }
    }

    /// Finishes what is queued, then stops the thread; waits for it.
    func stop() {
        state.withLock { $0.stopping = true }
        state.broadcast()
        worker.join()
    }

    private func run() {
        while true {
            // Group-commit delay: when fewer appenders are waiting than the last commit served,
            // give the rest up to 200 µs to arrive so one fsync covers them all.
            let short = state.withLock(waitingUntil: { !$0.pending.isEmpty || $0.stopping }) {
                !$0.stopping && $0.pending.count < $0.lastBatchRequests / 2
            }
            let maxBatchEvents = maxBatchEvents
            let (batch, startHead) = state.withLock(
                waitingUntil: { $0.stopping || $0.pending.count >= $0.lastBatchRequests },
                atMostNanoseconds: short ? 200_000 : 0
            ) { state -> ([Request], LogHead) in
                // Take requests in order up to maxBatchEvents (always at least one), in one removal.
                var count = 0
                var taken = 0
                while taken < state.pending.count, count == 0 || count + state.pending[taken].events.count <= maxBatchEvents {
                    count += state.pending[taken].events.count
                    taken += 1
                }
                let batch = Array(state.pending[..<taken])
                state.pending.removeFirst(taken)
                state.lastBatchRequests = batch.count
                return (batch, state.head)
            }
            if batch.isEmpty { return }  // stopping, and nothing left to write
            do {
                let (outcomes, newHead): ([[AppendOutcome]], LogHead)
                do {
                    (outcomes, newHead) = try environment.write { transaction in
                        try self.write(batch, from: startHead, in: &transaction)
                    }
                    recentIDs.withLock { $0.markCommitted() }
                } catch {
                    recentIDs.withLock { $0.rollbackUncommitted() }
                    throw error
                }
                state.withLock {
                    $0.head = newHead
                    $0.committed.commits += 1
                    $0.committed.events += Int(newHead.sequence - startHead.sequence)
                }
                if newHead != startHead { onCommit(newHead) }
                if let acknowledger {
                    acknowledger.afterSync { failure in
                        for (request, result) in zip(batch, outcomes) {
                            request.completion(failure.map { .failure($0) } ?? .success(result))
                        }
                    }
                } else {
                    for (request, result) in zip(batch, outcomes) { request.completion(.success(result)) }
                }
            } catch {
                for request in batch { request.completion(.failure(error)) }
            }
        }
    }

    /// Writes one batch; re-runnable from scratch (LMDBEnvironment.write re-runs it after growing the map).
    /// An id is a repeat when `RecentIDs` (events after the index checkpoint, this batch included)
    /// or the index's `ids` (up to the checkpoint, read in one snapshot) holds it.
    private func write(_ batch: [Request], from start: LogHead, in transaction: inout LMDBTransaction)
        throws -> ([[AppendOutcome]], LogHead)
    {
        let index = index
        return try index.environment.read { indexTransaction in
            let checkpoint = try index.indexedThrough(in: indexTransaction)
            return try recentIDs.withLock { recent in
                recent.rollbackUncommitted()
                recent.prune(through: checkpoint)
                return try write(batch, from: start, in: &transaction, recent: &recent) { id in
                    try index.sequence(ofID: id.bytes, in: indexTransaction)
                }
            }
        }
    }

    private func write(_ batch: [Request], from start: LogHead, in transaction: inout LMDBTransaction,
                       recent: inout RecentIDs.Storage, indexed: (IDKey) throws -> UInt64?) throws -> ([[AppendOutcome]], LogHead)
    {
        var sequence = start.sequence
        var previous = start.hash
        var results: [[AppendOutcome]] = []
        results.reserveCapacity(batch.count)
        var value: [UInt8] = []
        for request in batch {
            var outcomes: [AppendOutcome] = []
            outcomes.reserveCapacity(request.events.count)
            for event in request.events {
                if let existing = try recent.sequence(of: event.idKey) ?? indexed(event.idKey) {
                    let content = event.content
                    let same = try transaction.withValue(LogDatabases.encodeSequence(existing), in: databases.events) { stored in
                        stored.count >= 64 && content.elementsEqual(stored.prefix(stored.count - 64))
                    } ?? false
                    outcomes.append(.duplicate(sequence: existing, sameContent: same))
                    continue
                }
                sequence += 1
                recent.add(event.idKey, at: sequence)
                let hash = event.prefix.finish(sequence: sequence, previous: previous)
                value.removeAll(keepingCapacity: true)
                value.append(contentsOf: event.content)
                previous.withUnsafeBytes { value.append(contentsOf: $0) }
                hash.withUnsafeBytes { value.append(contentsOf: $0) }
                try transaction.put(value, forKey: LogDatabases.encodeSequence(sequence), in: databases.events, flags: .append)
                outcomes.append(.appended(sequence: sequence, hash: hash))
                previous = hash
            }
            results.append(outcomes)
        }
        let newHead = LogHead(sequence: sequence, hash: previous)
        if sequence != start.sequence {
            try transaction.put(LogDatabases.encodeHead(newHead), forKey: LogDatabases.headKey, in: databases.meta)
        }
        return (results, newHead)
    }
}

/// Why the log refused an operation.
public enum EventLogError: Error, Equatable, Sendable, CustomStringConvertible {
    case closed
    case corrupt(sequence: UInt64, reason: String)
    case storage(String)
    /// An index disagrees with the events (a reader that uses it stops rather than return fewer events).
    case indexMismatch(IndexFinding)

    public var description: String {
        switch self {
        case .indexMismatch(let finding): "the log's index is damaged (\(finding)); run `streamflow replay verify --repair`"
        case .closed: "the event log is closed"
        case .corrupt(let sequence, let reason): "the event at sequence \(sequence) is corrupt: \(reason)"
        case .storage(let reason): "event log storage failed: \(reason)"
        }
    }
}
