// LMDBWriteTransaction: the read-write view handed to `LMDBEnvironment.write` bodies (its writes).
internal import CLMDB

/// The single write transaction of the environment, valid only inside the `LMDBEnvironment.write` body
/// that receives it (`~Copyable` and passed `inout`, so it cannot escape). It reads like an
/// `LMDBReadTransaction` and sees its own uncommitted writes; the environment commits it after the body.
public struct LMDBWriteTransaction: ~Copyable {
    let ops: TransactionOps
    /// Set when any write returned `MDB_MAP_FULL`: the transaction is then dead and the environment
    /// grows the map and re-runs the body, even if the body caught the error.
    private(set) var hitMapFull = false

    init(ops: TransactionOps) { self.ops = ops }

    /// How a put treats existing keys and ordering; the raw values are LMDB's `MDB_*` write flags.
    public struct PutFlags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32

        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// `MDB_NOOVERWRITE`: leave an existing key alone (`put` then returns false).
        public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
        /// `MDB_NODUPDATA`: in a `.dupSort` database, leave an existing key/value pair alone (returns false).
        public static let noDupData = PutFlags(rawValue: UInt32(MDB_NODUPDATA))
        /// `MDB_APPEND`: the key must sort after every key in the database (fast bulk append); a key out of
        /// order fails with `MDB_KEYEXIST`.
        public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
        /// `MDB_APPENDDUP`: like `.append` for the values of one key in a `.dupSort` database.
        public static let appendDup = PutFlags(rawValue: UInt32(MDB_APPENDDUP))
    }

    // MARK: Writes

    /// Stores `value` under `key`. Returns false (and changes nothing) when `.noOverwrite` or `.noDupData`
    /// found the key or pair already present. With `.append`/`.appendDup`, `MDB_KEYEXIST` means the key was
    /// out of order and is thrown. Any thrown error other than that leaves the transaction unusable.
    @discardableResult
    public mutating func put(
        _ value: UnsafeRawBufferPointer, forKey key: UnsafeRawBufferPointer, in db: LMDBDatabase, flags: PutFlags = []
    ) throws(LMDBError) -> Bool {
        try settlePut(ops.put(value, forKey: key, in: db, flags: flags.rawValue), flags: flags)
    }

    /// Stores `value` under `key` (any byte collections: `[UInt8]`, `ArraySlice<UInt8>`, `Data`...).
    /// Same results as the raw-buffer `put`.
    @discardableResult
    public mutating func put(
        _ value: some Collection<UInt8>, forKey key: some Collection<UInt8>, in db: LMDBDatabase, flags: PutFlags = []
    ) throws(LMDBError) -> Bool {
        let code = withBytes(key) { rawKey in
            withBytes(value) { rawValue in ops.put(rawValue, forKey: rawKey, in: db, flags: flags.rawValue) }
        }
        return try settlePut(code, flags: flags)
    }

    /// Stores `value` under the eight-byte big-endian key of `sequence` (see `UInt64.bigEndianKey`), the
    /// natural key of an append-only log: with `.append`, sequences must strictly increase.
    @discardableResult
    public mutating func put(
        _ value: some Collection<UInt8>, forSequence sequence: UInt64, in db: LMDBDatabase, flags: PutFlags = []
    ) throws(LMDBError) -> Bool {
        let code = sequence.withBigEndianKey { rawKey in
            withBytes(value) { rawValue in ops.put(rawValue, forKey: rawKey, in: db, flags: flags.rawValue) }
        }
        return try settlePut(code, flags: flags)
    }

    /// Deletes `key` (with every duplicate) or, given `value`, only that key/value pair of a `.dupSort`
    /// database. Returns false when there was nothing to delete.
    @discardableResult
    public mutating func delete(
        _ key: some Collection<UInt8>, value: [UInt8]? = nil, in db: LMDBDatabase
    ) throws(LMDBError) -> Bool {
        let code = withBytes(key) { rawKey in
            guard let value else { return ops.delete(key: rawKey, value: nil, in: db) }
            return value.withUnsafeBytes { ops.delete(key: rawKey, value: $0, in: db) }
        }
        if code == LMDBError.Code.notFound { return false }
        if code == LMDBError.Code.mapFull { hitMapFull = true }
        try check(code, "mdb_del")
        return true
    }

    /// Removes every entry of `db`, keeping the database itself (`mdb_drop` without deleting it).
    public mutating func clear(_ db: LMDBDatabase) throws(LMDBError) {
        let code = ops.clear(db)
        if code == LMDBError.Code.mapFull { hitMapFull = true }
        try check(code, "mdb_drop")
    }

    private mutating func settlePut(_ code: Int32, flags: PutFlags) throws(LMDBError) -> Bool {
        if code == 0 { return true }
        if code == LMDBError.Code.keyExist && !flags.isDisjoint(with: [.noOverwrite, .noDupData])
            && flags.isDisjoint(with: [.append, .appendDup]) {
            return false
        }
        if code == LMDBError.Code.mapFull { hitMapFull = true }
        throw LMDBError(code: code, operation: "mdb_put")
    }
}
