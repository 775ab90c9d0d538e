// LMDBReadTransaction: the read-only view handed to `LMDBEnvironment.read` bodies.

/// A consistent snapshot of the environment, valid only inside the `LMDBEnvironment.read` body that
/// receives it (it is `~Copyable` and borrowed, so it cannot escape). Buffers handed to closures point
/// into the memory map and are valid only during that closure call.
public struct LMDBReadTransaction: ~Copyable {
    let ops: TransactionOps

    init(ops: TransactionOps) { self.ops = ops }

    /// A copy of the value stored under `key`, or nil when there is none.
    public func get(_ key: some Collection<UInt8>, in db: LMDBDatabase) throws(LMDBError) -> [UInt8]? {
        try ops.get(key, in: db)
    }

    /// Runs `body` over the value stored under `key` without copying it; returns nil when there is none.
    /// The buffer points into the map and must not be used after `body` returns.
    public func withValue<R>(
        forKey key: some Collection<UInt8>, in db: LMDBDatabase, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        try ops.withValue(forKey: key, in: db, body)
    }

    /// Calls `body(key, value)` for each entry of `db` in key order (descending when `reverse`), starting
    /// at the first key >= `startKey` (<= when reversing), until `body` returns false. In a `.dupSort`
    /// database every duplicate is visited. Both buffers are valid only during the call.
    public func forEach(
        in db: LMDBDatabase, from startKey: [UInt8]? = nil, reverse: Bool = false,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try ops.forEach(in: db, from: startKey, reverse: reverse, body)
    }

    /// Calls `body(value)` for each value of `key` in a `.dupSort` database, in value order (descending
    /// when `reverse`), from the first value >= `startValue` (<= when reversing), until it returns false.
    public func forEachDuplicate(
        ofKey key: some Collection<UInt8>, in db: LMDBDatabase, from startValue: [UInt8]? = nil,
        reverse: Bool = false, _ body: (_ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try ops.forEachDuplicate(ofKey: key, in: db, from: startValue, reverse: reverse, body)
    }

    /// How many values `key` holds in a `.dupSort` database (0 when the key is absent).
    public func duplicateCount(ofKey key: some Collection<UInt8>, in db: LMDBDatabase) throws(LMDBError) -> Int {
        try ops.duplicateCount(ofKey: key, in: db)
    }

    /// A copy of the entry with the smallest key, or nil when `db` is empty.
    public func first(in db: LMDBDatabase) throws(LMDBError) -> (key: [UInt8], value: [UInt8])? {
        try ops.edge(of: db, last: false)
    }

    /// A copy of the entry with the largest key (its last duplicate), or nil when `db` is empty.
    public func last(in db: LMDBDatabase) throws(LMDBError) -> (key: [UInt8], value: [UInt8])? {
        try ops.edge(of: db, last: true)
    }

    /// The number of entries in `db` (`mdb_stat`; in a `.dupSort` database every duplicate counts).
    public func count(in db: LMDBDatabase) throws(LMDBError) -> Int {
        try ops.count(in: db)
    }
}
