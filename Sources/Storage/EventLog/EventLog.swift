import EthCrypto
public import EventModel
import Foundation
public import LMDB

/// The append-only, hash-chained event log kept in LMDB: the truth every projection folds over.
/// Appends are idempotent by event id and group-committed by one writer thread.
public final class EventLog: Sendable {
    // Mutable state lives in LogWriter, RecentIDs and HeadWatch, each behind its own lock.

    /// How the log is opened.
    public struct Options: Sendable {
        /// fsync on every commit (default); `.noMetaSync` and `.noSync` trade the newest commits on a
        /// machine crash (not a process crash) for speed. See docs/EVENT-LOG.md.
        public var durability: LMDBEnvironment.Durability = .fsync
        /// The starting map size; a full map grows (doubles) instead of failing.
        public var initialMapSize: Int = 64 << 20
        /// Most events one group commit takes.
        public var maxBatchEvents: Int = 8_192
        public var readOnly = false
        /// Write through LMDB's memory map (MDB_WRITEMAP): same durability; commits stop copying
        /// pages but first touches fault instead. Measured no clear win here (docs/PERFORMANCE.md).
        public var writeMap = false

        public init(durability: LMDBEnvironment.Durability = .fsync) { self.durability = durability }
    }

    let environment: LMDBEnvironment
    let databases: LogDatabases
    /// The topic/key indexes (nil for a read-only log that has none yet: scans then walk the events).
    let index: IndexStore?
    private let writer: LogWriter?
    /// Ids of events after the index checkpoint (empty for a read-only log).
    let recentIDs = RecentIDs()
    let indexer: LogIndexer?
    private let acknowledger: DurableAcknowledger?
    let headWatch: HeadWatch
    public let directory: String

    /// Opens (creating if needed) the log in `directory`.
    public init(directory: String, options: Options = Options()) throws {
        self.directory = directory
        var environmentOptions = LMDBEnvironment.Options()
        environmentOptions.mapSize = options.initialMapSize
        // fsync durability: commits sync their data pages (MDB_NOMETASYNC) and a sync thread syncs
        // the meta page before appenders are answered — LMDB's two fsyncs, the second off the writer.
        environmentOptions.durability = options.durability == .fsync ? .noMetaSync : options.durability
        environmentOptions.readOnly = options.readOnly
        environmentOptions.writeMap = options.writeMap
        environment = try LMDBEnvironment(path: directory, options: environmentOptions)
        databases = try LogDatabases(environment: environment)
        let databases = databases
        let head = try environment.read { transaction in
            try transaction.withValue(LogDatabases.headKey, in: databases.meta) { LogDatabases.decodeHead($0) } ?? nil
        } ?? .empty
        let index = try IndexStore.open(logDirectory: directory, readOnly: options.readOnly, mapSize: options.initialMapSize)
        if !options.readOnly, let index, try index.indexedThrough() > head.sequence {
            try index.reset()  // the log lost commits the index had seen (machine crash): rebuild it
        }
        self.index = index
        headWatch = HeadWatch(head: head)
        let watch = headWatch
        let acknowledger = options.readOnly || options.durability != .fsync ? nil : DurableAcknowledger(environment: environment)
        self.acknowledger = acknowledger
        if !options.readOnly, let index { try Self.loadRecentIDs(into: recentIDs, environment: environment, databases: databases, after: try index.indexedThrough()) }
        let indexer = options.readOnly || index == nil ? nil
            : LogIndexer(environment: environment, databases: databases, index: index!)
        self.indexer = indexer
        indexer?.notify(head: head.sequence)
        writer = options.readOnly || index == nil ? nil : LogWriter(
            environment: environment, databases: databases, index: index!, recentIDs: recentIDs, head: head,
            maxBatchEvents: options.maxBatchEvents,
            acknowledger: acknowledger, onCommit: { newHead in
                watch.advance(to: newHead)
                indexer?.notify(head: newHead.sequence)
            })
    }

    deinit { close() }

    /// Puts the ids of the events the index does not cover yet into `recentIDs` (content that
    /// cannot be decoded is skipped here; `replay verify` reports it).
    private static func loadRecentIDs(into recentIDs: RecentIDs, environment: LMDBEnvironment, databases: LogDatabases,
                                      after checkpoint: UInt64) throws {
        try environment.read { transaction in
            try recentIDs.withLock { recent in
                try transaction.forEach(in: databases.events, from: LogDatabases.encodeSequence(checkpoint + 1)) { key, value in
                    guard value.count > 64 else { return true }
                    let content = UnsafeRawBufferPointer(rebasing: value[0..<(value.count - 64)])
                    guard let header = try? ContentHeader(content: content) else { return true }
                    recent.add(IDKey(Array(content[header.id])), at: LogDatabases.decodeSequence(key))
                    return true
                }
                recent.markCommitted()
            }
        }
    }

    /// Stops the writer after it has committed everything queued, acknowledges it once synced,
    /// then stops the indexer after it has indexed it, and syncs. Appends after this fail with `.closed`.
    public func close() {
        writer?.stop()
        acknowledger?.stop()
        indexer?.stop()
        if writer != nil { try? environment.sync(force: true) }
    }

    /// Brings the topic/key indexes up to the head now (they otherwise follow within ~50 ms);
    /// scans are exact either way. Returns the indexed sequence.
    @discardableResult
    public func indexNow() throws -> UInt64 { try indexer?.catchUp(through: .max) ?? 0 }

    /// Group commits made since the log was opened, and the events they carried.
    public var commitStatistics: (commits: Int, events: Int) { writer?.statistics ?? (0, 0) }

    /// Whether this process writes the log (then `recentIDs` covers every id the index lacks).
    var isWritable: Bool { writer != nil }

    /// The newest event's sequence and hash.
    public var head: LogHead { headWatch.current }

    // MARK: appending

    /// Appends events in order and returns once they are committed (durable per the log's durability).
    public func append(_ events: [PreparedEvent]) async throws -> [AppendOutcome] {
        guard let writer else { throw EventLogError.storage("the log is open read-only") }
        return try await withCheckedThrowingContinuation { continuation in
            writer.submit(events) { continuation.resume(with: $0) }
        }
    }

    /// Validates, encodes and appends envelopes.
    public func append(_ envelopes: [EventEnvelope]) async throws -> [AppendOutcome] {
        try await append(try PreparedEvent.prepare(envelopes))
    }

    public func append(_ envelope: EventEnvelope) async throws -> AppendOutcome {
        try await append([envelope])[0]
    }

    /// The blocking form of `append`, for threads that are not in an async context (benchmarks, tools).
    public func appendAndWait(_ events: [PreparedEvent]) throws -> [AppendOutcome] {
        guard let writer else { throw EventLogError.storage("the log is open read-only") }
        let box = ResultBox()
        writer.submit(events) { box.set($0) }
        return try box.wait().get()
    }

    /// Queues events and calls `completion` on the writer thread once committed (no waiting here).
    public func append(_ events: [PreparedEvent], completion: @escaping @Sendable (Result<[AppendOutcome], any Error>) -> Void) {
        guard let writer else {
            completion(.failure(EventLogError.storage("the log is open read-only")))
            return
        }
        writer.submit(events, completion: completion)
    }
}

/// A one-shot result handed from the writer thread to a blocked caller.
final class ResultBox: Sendable {
    private let result = Monitor<Result<[AppendOutcome], any Error>?>(nil)

    func set(_ value: Result<[AppendOutcome], any Error>) {
        result.withLock { $0 = value }
        result.broadcast()
    }

    func wait() -> Result<[AppendOutcome], any Error> {
        result.withLock(waitingUntil: { $0 != nil }) { $0! }
    }
}
