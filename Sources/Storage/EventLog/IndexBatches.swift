import EventModel
import LMDB

/// The entries of the three indexes (`ids`, `topics`, `keys`) for a run of events: how an event
/// is indexed is decided here only, for the indexer, the rebuild and the index audit alike.
struct IndexBatches {
    var ids: IndexBatch
    var topics: IndexBatch
    var keys: IndexBatch

    init(capacity: Int) {
        ids = IndexBatch(capacity: capacity)
        topics = IndexBatch(capacity: capacity)
        keys = IndexBatch(capacity: capacity)
    }

    /// Adds one stored event's entries: its id, its topic, and each key it has (kind byte ‖ value).
    mutating func add(content: UnsafeRawBufferPointer, sequence: UInt64) throws(EventDecodingError) {
        let header = try ContentHeader(content: content)
        ids.add(UnsafeRawBufferPointer(rebasing: content[header.id]), sequence: sequence)
        topics.add(UnsafeRawBufferPointer(rebasing: content[header.topic]), sequence: sequence)
        for (kind, range) in header.keyRanges.enumerated() where !range.isEmpty {
            keys.add(prefix: UInt8(kind), UnsafeRawBufferPointer(rebasing: content[range]), sequence: sequence)
        }
    }

    mutating func sort() {
        ids.sort()
        topics.sort()
        keys.sort()
    }

    /// Writes every entry and the new checkpoint into `index` (one transaction, the caller's).
    func write(into index: IndexStore, checkpoint: UInt64, in transaction: inout LMDBTransaction) throws {
        // The writer refuses repeated ids, so each id comes once; noOverwrite keeps the first
        // sequence should a rebuilt index ever meet one twice.
        try ids.write(into: index.ids, flags: .noOverwrite, in: &transaction)
        try topics.write(into: index.topics, flags: .appendDup, in: &transaction)
        try keys.write(into: index.keys, flags: .appendDup, in: &transaction)
        try transaction.put(LogDatabases.encodeSequence(checkpoint), forKey: IndexStore.indexedKey, in: index.meta)
    }
}
