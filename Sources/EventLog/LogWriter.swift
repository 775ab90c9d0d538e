import EthCrypto
import EventModel
import Foundation
import LMDB

/// The log's single writer: a dedicated thread (never the cooperative pool) that drains every
/// pending append into one LMDB transaction and commits it once — group commit. With fsync
/// durability, N concurrent appenders share one fsync.
final class LogWriter: @unchecked Sendable {
    // @unchecked: `pending`, `head` and `stopping` are only touched under `condition`.
    struct Request {
        let events: [PreparedEvent]
        let completion: @Sendable (Result<[AppendOutcome], any Error>) -> Void
    }

    private let environment: LMDBEnvironment
    private let databases: LogDatabases
    private let maxBatchEvents: Int
    private let condition = NSCondition()
    private var pending: [Request] = []
    private var stopping = false
    private var stopped = false
    private var head: LogHead
    private var thread: Thread?
    /// Called after every commit with the new head (wakes tails and projections).
    private let onCommit: @Sendable (LogHead) -> Void

    init(environment: LMDBEnvironment, databases: LogDatabases, head: LogHead, maxBatchEvents: Int,
         onCommit: @escaping @Sendable (LogHead) -> Void) {
        self.environment = environment
        self.databases = databases
        self.head = head
        self.maxBatchEvents = maxBatchEvents
        self.onCommit = onCommit
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "streamflow.log-writer"
        self.thread = thread
        thread.start()
    }

    var currentHead: LogHead { condition.withLock { head } }

    /// Queues events; `completion` runs on the writer thread once they are committed (or failed).
    func submit(_ events: [PreparedEvent], completion: @escaping @Sendable (Result<[AppendOutcome], any Error>) -> Void) {
        condition.withLock {
            guard !stopping else {
                completion(.failure(EventLogError.closed))
                return
            }
            pending.append(Request(events: events, completion: completion))
            condition.signal()
        }
    }

    /// Finishes what is queued, then stops the thread; waits for it.
    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
            while !stopped { condition.wait() }
        }
    }

    private func run() {
        while true {
            var batch: [Request] = []
            var startHead = LogHead.empty
            condition.withLock {
                while pending.isEmpty && !stopping { condition.wait() }
                var count = 0
                while !pending.isEmpty, count == 0 || count + pending[0].events.count <= maxBatchEvents {
                    let request = pending.removeFirst()
                    count += request.events.count
                    batch.append(request)
                }
                startHead = head
            }
            if batch.isEmpty {
                condition.withLock {
                    stopped = true
                    condition.broadcast()
                }
                return
            }
            do {
                let (outcomes, newHead): ([[AppendOutcome]], LogHead) = try environment.write { transaction in
                    try self.write(batch, from: startHead, in: &transaction)
                }
                condition.withLock { head = newHead }
                if newHead != startHead { onCommit(newHead) }
                for (request, result) in zip(batch, outcomes) { request.completion(Result<[AppendOutcome], any Error>.success(result)) }
            } catch {
                for request in batch { request.completion(.failure(error)) }
            }
        }
    }

    /// Writes one batch; re-runnable from scratch (LMDBEnvironment.write re-runs it after growing the map).
    private func write(_ batch: [Request], from start: LogHead, in transaction: inout LMDBTransaction)
        throws -> ([[AppendOutcome]], LogHead)
    {
        var sequence = start.sequence
        var previous = start.hash
        var seenInBatch: [String: (sequence: UInt64, content: [UInt8])] = [:]
        var results: [[AppendOutcome]] = []
        results.reserveCapacity(batch.count)
        var value: [UInt8] = []
        for request in batch {
            var outcomes: [AppendOutcome] = []
            outcomes.reserveCapacity(request.events.count)
            for event in request.events {
                let idKey = Array(event.envelope.id.utf8)
                if let earlier = seenInBatch[event.envelope.id] {
                    outcomes.append(.duplicate(sequence: earlier.sequence, sameContent: earlier.content == event.content))
                    continue
                }
                if let existing = transaction.get(idKey, in: databases.ids) {
                    let existingSequence = existing.withUnsafeBytes { LogDatabases.decodeSequence($0) }
                    let stored = transaction.get(LogDatabases.encodeSequence(existingSequence), in: databases.events)
                    let same = stored.map { Array($0.dropLast(64)) == event.content } ?? false
                    outcomes.append(.duplicate(sequence: existingSequence, sameContent: same))
                    continue
                }
                sequence += 1
                let hash = event.prefix.finish(sequence: sequence, previous: previous)
                let sequenceKey = LogDatabases.encodeSequence(sequence)
                value.removeAll(keepingCapacity: true)
                value.append(contentsOf: event.content)
                value.append(contentsOf: previous.bytes)
                value.append(contentsOf: hash.bytes)
                try transaction.put(value, forKey: sequenceKey, in: databases.events, flags: .append)
                try transaction.put(sequenceKey, forKey: idKey, in: databases.ids, flags: .noOverwrite)
                try transaction.put(sequenceKey, forKey: Array(event.envelope.topic.rawValue.utf8), in: databases.topics,
                                    flags: .appendDup)
                for (kind, key) in event.envelope.keys.present {
                    try transaction.put(sequenceKey, forKey: LogDatabases.indexKey(kind, key), in: databases.keys,
                                        flags: .appendDup)
                }
                seenInBatch[event.envelope.id] = (sequence, event.content)
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

    public var description: String {
        switch self {
        case .closed: "the event log is closed"
        case .corrupt(let sequence, let reason): "event \(sequence) is corrupt: \(reason)"
        case .storage(let reason): "event log storage failed: \(reason)"
        }
    }
}
