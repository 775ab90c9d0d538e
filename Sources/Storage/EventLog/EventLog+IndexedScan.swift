public import EventModel
import LMDB

extension EventLog {
    /// `scan` by topic or key for audits (export, show): walks every event from `sequence`, so it
    /// never depends on the index for what it returns, and checks the index's entries for that topic
    /// or key (up to its checkpoint) against the walk, throwing `EventLogError.indexMismatch` at the
    /// first entry missing or naming the wrong event, so a damaged index is never silent.
    public func scanCheckingIndex(from sequence: UInt64 = 1, topic: Topic? = nil, key: (EventKeys.Kind, String)? = nil,
                                  _ body: (StoredEvent) throws -> Bool) throws {
        guard topic != nil || key != nil else { return try scan(from: sequence, body) }
        let (indexName, indexKey): (IndexFinding.Index, [UInt8]) = key.map { (.keys, LogDatabases.indexKey($0.0, $0.1)) }
            ?? (.topics, Array(topic!.rawValue.utf8))
        let printable = indexKey.withUnsafeBytes { IndexFinding.printable($0, in: indexName) }
        let (indexed, checkpoint) = try indexedSequences(indexName, key: indexKey, from: sequence)
        var next = 0
        func mismatch(_ at: UInt64, _ problem: IndexFinding.Problem) -> EventLogError {
            .indexMismatch(IndexFinding(index: indexName, key: printable, sequence: at, problem: problem))
        }
        var stopped = false
        try scan(from: sequence) { event in
            if next < indexed.count, indexed[next] < event.sequence { throw mismatch(indexed[next], .dangling) }
            guard try Self.matches(event, topic: topic, key: key) else {
                if next < indexed.count, indexed[next] == event.sequence { throw mismatch(event.sequence, .wrong) }
                return true
            }
            if event.sequence <= checkpoint {
                guard next < indexed.count, indexed[next] == event.sequence else { throw mismatch(event.sequence, .missing) }
                next += 1
            }
            stopped = try !body(event)
            return !stopped
        }
        if !stopped, next < indexed.count { throw mismatch(indexed[next], .dangling) }
    }

    /// The sequences `index` holds under `key` from `sequence` up to its checkpoint, and the checkpoint.
    private func indexedSequences(_ index: IndexFinding.Index, key: [UInt8], from sequence: UInt64) throws -> ([UInt64], UInt64) {
        guard let store = self.index else { return ([], 0) }
        return try store.environment.read { transaction in
            let checkpoint = try store.indexedThrough(in: transaction)
            var sequences: [UInt64] = []
            let database = index == .keys ? store.keys : store.topics
            try transaction.forEachDuplicate(ofKey: key, in: database, from: LogDatabases.encodeSequence(max(sequence, 1))) { bytes in
                let found = LogDatabases.decodeSequence(bytes)
                guard found <= checkpoint else { return false }
                sequences.append(found)
                return true
            }
            return (sequences, checkpoint)
        }
    }
}
