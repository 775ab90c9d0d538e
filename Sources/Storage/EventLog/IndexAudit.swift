import EventModel
import LMDB

/// What `EventLog.auditIndexes` found: the checkpoint it checked up to, how many entries it
/// compared, and the findings (the first `limit`, in sequence order, and how many in all).
public struct IndexAuditReport: Sendable, Equatable {
    /// The indexes' checkpoint (nil when the log has no index yet).
    public var checkpoint: UInt64?
    public var entries = 0
    public var findings: [IndexFinding] = []
    public var findingCount = 0
    public var passed: Bool { findingCount == 0 }

    public init() {}
}

extension EventLog {
    /// Checks every index both ways against a full walk of the events up to the index's checkpoint:
    /// every event is indexed under its id, topic and keys, and every entry names an event that
    /// has that key. Events that do not decode are left to `replay verify`'s chain walk.
    public func auditIndexes(limit: Int = 20) throws -> IndexAuditReport {
        guard let index else { return IndexAuditReport() }
        var report = IndexAuditReport()
        var findings: [IndexFinding] = []
        let databases = databases
        let head = head.sequence
        try environment.read { transaction in
            try index.environment.read { indexTransaction in
                let checkpoint = try index.indexedThrough(in: indexTransaction)
                report.checkpoint = checkpoint
                if checkpoint > head {
                    findings.append(IndexFinding(index: .ids, key: "", sequence: checkpoint, problem: .checkpointAhead))
                }
                var expected = try Self.expectedEntries(transaction, databases: databases, through: checkpoint)
                let stores: [(IndexFinding.Index, LMDBDatabase)] = [(.ids, index.ids), (.topics, index.topics), (.keys, index.keys)]
                for (name, database) in stores {
                    try indexTransaction.forEach(in: database) { key, value in
                        report.entries += 1
                        let sequence = LogDatabases.decodeSequence(value)
                        guard expected.remove(IndexedEntry(index: name, key: Array(key), sequence: sequence)) == nil else { return true }
                        let exists = try transaction.withValue(LogDatabases.encodeSequence(sequence), in: databases.events) { _ in true }
                        let stored = sequence <= checkpoint && exists == true
                        findings.append(IndexFinding(index: name, key: IndexFinding.printable(key, in: name),
                                                     sequence: sequence, problem: stored ? .wrong : .dangling))
                        return true
                    }
                }
                for entry in expected {
                    let printable = entry.key.withUnsafeBytes { IndexFinding.printable($0, in: entry.index) }
                    findings.append(IndexFinding(index: entry.index, key: printable, sequence: entry.sequence, problem: .missing))
                }
            }
        }
        findings.sort { ($0.sequence, $0.index.rawValue, $0.key) < ($1.sequence, $1.index.rawValue, $1.key) }
        report.findingCount = findings.count
        report.findings = Array(findings.prefix(limit))
        return report
    }

    /// Rebuilds the indexes from a walk of the events, in one index transaction
    /// (`replay verify --repair`); the log must be open for writing. Returns the new checkpoint.
    @discardableResult
    public func rebuildIndexes() throws -> UInt64 {
        guard let indexer else { throw EventLogError.storage("the log is open read-only; its indexes cannot be rebuilt") }
        return try indexer.rebuild()
    }

    /// The entries the indexes should hold for the events up to `checkpoint`.
    private static func expectedEntries(_ transaction: LMDBTransaction, databases: LogDatabases,
                                        through checkpoint: UInt64) throws -> Set<IndexedEntry> {
        var batches = IndexBatches(capacity: 1_024)
        try transaction.forEach(in: databases.events) { key, value in
            let sequence = LogDatabases.decodeSequence(key)
            guard sequence <= checkpoint else { return false }
            guard value.count > 64 else { return true }
            try? batches.add(content: UnsafeRawBufferPointer(rebasing: value[0..<(value.count - 64)]), sequence: sequence)
            return true
        }
        var expected = Set<IndexedEntry>()
        batches.ids.forEach { expected.insert(IndexedEntry(index: .ids, key: Array($0), sequence: $1)) }
        batches.topics.forEach { expected.insert(IndexedEntry(index: .topics, key: Array($0), sequence: $1)) }
        batches.keys.forEach { expected.insert(IndexedEntry(index: .keys, key: Array($0), sequence: $1)) }
        return expected
    }
}

/// One index entry as the audit compares them.
private struct IndexedEntry: Hashable {
    let index: IndexFinding.Index
    let key: [UInt8]
    let sequence: UInt64
}
