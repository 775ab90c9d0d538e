import Synchronization

/// The ids of events the index has not covered yet (sequence > its checkpoint), in memory: with
/// the index's `ids` database they answer "is this id in the log?" exactly, while the writer's
/// commits stay free of random id-index pages. The writer adds each batch and drops what the
/// indexer has covered; the log rebuilds it from the events after the checkpoint when it opens.
final class RecentIDs: Sendable {
    private let storage = Mutex(Storage())

    /// Runs `body` with exclusive access (the writer holds it for one batch).
    func withLock<R>(_ body: (inout Storage) throws -> R) rethrows -> R {
        try storage.withLock { try body(&$0) }
    }

    /// The sequence of `id` if it is here.
    func sequence(of id: IDKey) -> UInt64? { storage.withLock { $0.sequence(of: id) } }

    /// The ids and their order; reachable only while the lock is held.
    struct Storage: Sendable {
        private var sequences: [IDKey: UInt64] = [:]
        /// Ids in sequence order from `oldest`, so pruning pops from the front.
        private var order: [(sequence: UInt64, id: IDKey)] = []
        private var oldest = 0
        /// Ids added since the last `markCommitted` (the batch being written).
        private var uncommitted = 0

        func sequence(of id: IDKey) -> UInt64? { sequences[id] }

        /// Adds an id appended at `sequence` (sequences only grow).
        mutating func add(_ id: IDKey, at sequence: UInt64) {
            sequences[id] = sequence
            order.append((sequence, id))
            uncommitted += 1
        }

        /// The ids added so far are in a committed transaction.
        mutating func markCommitted() { uncommitted = 0 }

        /// Forgets the ids added since the last `markCommitted` (a batch whose commit did not happen).
        mutating func rollbackUncommitted() {
            removeNewest(uncommitted)
            uncommitted = 0
        }

        /// Forgets the newest `count` ids (a batch whose commit did not happen).
        mutating func removeNewest(_ count: Int) {
            for _ in 0..<min(count, order.count - oldest) {
                let entry = order.removeLast()
                sequences[entry.id] = nil
            }
        }

        /// Forgets ids at or below `checkpoint`: the index answers for them now.
        mutating func prune(through checkpoint: UInt64) {
            while oldest < order.count, order[oldest].sequence <= checkpoint {
                sequences[order[oldest].id] = nil
                oldest += 1
            }
            if oldest > 4_096, oldest * 2 > order.count {
                order.removeFirst(oldest)
                oldest = 0
            }
        }
    }
}

/// An event id's UTF-8 bytes with their hash computed once, by the producer, so the writer's
/// lookups in `RecentIDs` hash nothing.
struct IDKey: Hashable, Sendable {
    let bytes: [UInt8]
    private let hash: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hash = hasher.finalize()
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    static func == (a: IDKey, b: IDKey) -> Bool { a.hash == b.hash && a.bytes == b.bytes }
}
