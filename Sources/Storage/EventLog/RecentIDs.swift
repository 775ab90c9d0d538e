import EventModel

/// The ids of events the index has not covered yet (sequence > its checkpoint), in memory: with
/// the index's `ids` database they answer "is this id in the log?" exactly, while the writer's
/// commits stay free of random id-index pages. The writer adds each batch and drops what the
/// indexer has covered; the log rebuilds it from the events after the checkpoint when it opens.
final class RecentIDs: @unchecked Sendable {
    // @unchecked: every field is touched only under `mutex`.
    private let mutex = PosixMutex()
    private var sequences: [IDKey: UInt64] = [:]
    /// Ids in sequence order from `oldest`, so pruning pops from the front.
    private var order: [(sequence: UInt64, id: IDKey)] = []
    private var oldest = 0

    /// Runs `body` with exclusive access (the writer holds it for one batch).
    func withLock<R>(_ body: (inout Access) throws -> R) rethrows -> R {
        try mutex.withLock {
            var access = Access(owner: self)
            return try body(&access)
        }
    }

    /// The sequence of `id` if it is here.
    func sequence(of id: IDKey) -> UInt64? { mutex.withLock { sequences[id] } }

    /// Operations available while the lock is held.
    struct Access {
        fileprivate let owner: RecentIDs

        func sequence(of id: IDKey) -> UInt64? { owner.sequences[id] }

        /// Adds an id appended at `sequence` (sequences only grow).
        func add(_ id: IDKey, at sequence: UInt64) {
            owner.sequences[id] = sequence
            owner.order.append((sequence, id))
        }

        /// Forgets the newest `count` ids (a batch whose commit did not happen).
        func removeNewest(_ count: Int) {
            for _ in 0..<min(count, owner.order.count - owner.oldest) {
                let entry = owner.order.removeLast()
                owner.sequences[entry.id] = nil
            }
        }

        /// Forgets ids at or below `checkpoint`: the index answers for them now.
        func prune(through checkpoint: UInt64) {
            while owner.oldest < owner.order.count, owner.order[owner.oldest].sequence <= checkpoint {
                owner.sequences[owner.order[owner.oldest].id] = nil
                owner.oldest += 1
            }
            if owner.oldest > 4_096, owner.oldest * 2 > owner.order.count {
                owner.order.removeFirst(owner.oldest)
                owner.oldest = 0
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
