// TransactionOps: the point lookups, writes and statistics of an open transaction, as plain C calls.
internal import CLMDB

/// The operations of an open transaction over its raw `MDB_txn` pointer. It does not own the pointer:
/// it is created by `LMDBEnvironment` for one transaction body and dies with it; the owner is the
/// `TransactionHandle` that began the transaction.
struct TransactionOps {
    let txn: OpaquePointer

    // MARK: Reads

    /// Runs `body` over the value stored under `key` (bytes inside the map), or returns nil.
    func withValue<Key: Collection<UInt8>, R>(
        forKey key: Key, in db: LMDBDatabase, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        var value = MDB_val()
        let code = withBytes(key) { raw in
            var probe = MDB_val(raw)
            return mdb_get(txn, db.dbi, &probe, &value)
        }
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_get")
        return try body(value.buffer)
    }

    /// A copy of the value stored under `key`, or nil.
    func get<Key: Collection<UInt8>>(_ key: Key, in db: LMDBDatabase) throws(LMDBError) -> [UInt8]? {
        var value = MDB_val()
        let code = withBytes(key) { raw in
            var probe = MDB_val(raw)
            return mdb_get(txn, db.dbi, &probe, &value)
        }
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_get")
        return Array(value.buffer)
    }

    /// The number of entries (key/value pairs, so every duplicate counts) in `db`.
    func count(in db: LMDBDatabase) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(txn, db.dbi, &stat), "mdb_stat")
        return stat.ms_entries
    }

    // MARK: Writes

    /// `mdb_put`; returns LMDB's code so the caller decides what `MDB_KEYEXIST` means.
    func put(_ value: UnsafeRawBufferPointer, forKey key: UnsafeRawBufferPointer, in db: LMDBDatabase,
             flags: UInt32) -> Int32 {
        var keyVal = MDB_val(key)
        var dataVal = MDB_val(value)
        return mdb_put(txn, db.dbi, &keyVal, &dataVal, flags)
    }

    /// `mdb_del` of a key (every duplicate) or, with `value`, of one key/value pair.
    func delete(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?, in db: LMDBDatabase) -> Int32 {
        var keyVal = MDB_val(key)
        guard let value else { return mdb_del(txn, db.dbi, &keyVal, nil) }
        var dataVal = MDB_val(value)
        return mdb_del(txn, db.dbi, &keyVal, &dataVal)
    }

    /// Empties `db` and keeps it open (`mdb_drop` with `del = 0`).
    func clear(_ db: LMDBDatabase) -> Int32 {
        mdb_drop(txn, db.dbi, 0)
    }

    // MARK: Environment-level steps run inside a transaction

    /// Opens (creating it when `create`) the named database; the handle is kept if the transaction commits.
    func openDatabase(_ name: String, flags: LMDBDatabase.Flags, create: Bool) throws(LMDBError) -> LMDBDatabase {
        var dbi: MDB_dbi = 0
        let all = flags.rawValue | (create ? UInt32(MDB_CREATE) : 0)
        try check(mdb_dbi_open(txn, name, all, &dbi), "mdb_dbi_open(\(name))")
        var stored: UInt32 = 0
        try check(mdb_dbi_flags(txn, dbi, &stored), "mdb_dbi_flags(\(name))")
        let known = LMDBDatabase.Flags.integerKey.rawValue | LMDBDatabase.Flags.dupSort.rawValue
            | LMDBDatabase.Flags.dupFixed.rawValue | LMDBDatabase.Flags.integerDup.rawValue
            | LMDBDatabase.Flags.reverseKey.rawValue | LMDBDatabase.Flags.reverseDup.rawValue
        guard stored & known == flags.rawValue else {
            throw LMDBError(code: MDB_INCOMPATIBLE, operation: "mdb_dbi_open(\(name)): stored flags differ")
        }
        return LMDBDatabase(dbi: dbi, flags: flags, name: name)
    }

    // MARK: Comparisons in the database's own order

    /// Compares two keys with `db`'s key order (`mdb_cmp`).
    func compareKeys(_ a: MDB_val, _ b: MDB_val, in db: LMDBDatabase) -> Int32 {
        var a = a, b = b
        return mdb_cmp(txn, db.dbi, &a, &b)
    }

    /// Compares two values with `db`'s duplicate order (`mdb_dcmp`).
    func compareValues(_ a: MDB_val, _ b: MDB_val, in db: LMDBDatabase) -> Int32 {
        var a = a, b = b
        return mdb_dcmp(txn, db.dbi, &a, &b)
    }
}
