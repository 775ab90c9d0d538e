internal import CLMDB
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A transaction, valid only inside the `read`/`write` closure that received it: the environment
/// begins and ends it (its only owner); using it after the closure returns is a programming error
/// caught by a precondition.
public struct LMDBTransaction {
    let raw: OpaquePointer
    let writable: Bool
    let scope = TransactionScope()
    let bounds: MapBounds
    /// The mapping and file size taken when the transaction began (checked without a lock).
    private let mapped: MapBounds.Snapshot

    init(raw: OpaquePointer, writable: Bool, bounds: MapBounds) {
        self.raw = raw
        self.writable = writable
        self.bounds = bounds
        mapped = bounds.snapshot()
    }

    private func inFile(_ buffer: UnsafeRawBufferPointer) -> Bool {
        mapped.contains(buffer) || bounds.containsNow(buffer)
    }

    /// The bytes of `value` (stored under `key`), refused when they reach past the end of the data file.
    private func checked(_ value: MDB_val, key: MDB_val? = nil) throws(LMDBError) -> UnsafeRawBufferPointer {
        let buffer = UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
        guard inFile(buffer) else {
            var keyText: String?
            if let key {
                let keyBytes = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)
                if inFile(keyBytes) { keyText = "0x" + keyBytes.prefix(64).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
            }
            throw LMDBError(damage: .valueOutOfBounds(path: bounds.file, bytes: value.mv_size, key: keyText))
        }
        return buffer
    }

    // MARK: reading

    /// Calls `body` with the value stored under `key` (valid only during the call), or returns nil.
    /// A value reaching past the end of the data file is refused (`StoreDamage.valueOutOfBounds`).
    public func withValue<R>(_ key: UnsafeRawBufferPointer, in database: LMDBDatabase,
                             _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        scope.check()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        guard mdb_get(raw, database.handle, &k, &v) == 0 else { return nil }
        return try body(try checked(v, key: k))
    }

    public func withValue<R>(_ key: [UInt8], in database: LMDBDatabase,
                             _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try key.withUnsafeBytes { try withValue($0, in: database, body) }
    }

    /// A copy of the value under `key`, or nil.
    public func get(_ key: [UInt8], in database: LMDBDatabase) throws -> [UInt8]? {
        try withValue(key, in: database) { Array($0) }
    }

    /// Visits entries in key order from `start` (the first key ≥ start), or backwards from the end
    /// when `reverse`; `body` returns false to stop.
    public func forEach(in database: LMDBDatabase, from start: [UInt8]? = nil, reverse: Bool = false,
                        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        scope.check()
        let cursor = try CursorHandle(transaction: raw, database: database.handle)
        var k = MDB_val(), v = MDB_val()
        var status: Int32
        if let start {
            status = start.withUnsafeBytes { bytes in
                k = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                return mdb_cursor_get(cursor.raw, &k, &v, MDB_SET_RANGE)
            }
            if reverse && status == 0 {
                // Start at the last key ≤ start.
                let found = Array(UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size))
                if found != start { status = mdb_cursor_get(cursor.raw, &k, &v, MDB_PREV) }
            } else if reverse && status == MDB_NOTFOUND {
                status = mdb_cursor_get(cursor.raw, &k, &v, MDB_LAST)
            }
        } else {
            status = mdb_cursor_get(cursor.raw, &k, &v, reverse ? MDB_LAST : MDB_FIRST)
        }
        while status == 0 {
            let keep = try body(try checked(k), try checked(v, key: k))
            guard keep else { return }
            status = mdb_cursor_get(cursor.raw, &k, &v, reverse ? MDB_PREV : MDB_NEXT)
        }
        guard status == MDB_NOTFOUND else { throw LMDBError(code: status, operation: "cursor") }
    }

    /// Visits the sorted values of `key` in a dupSort database, from the first value ≥ `start`.
    public func forEachDuplicate(ofKey key: [UInt8], in database: LMDBDatabase, from start: [UInt8]? = nil,
                                 _ body: (UnsafeRawBufferPointer) throws -> Bool) throws {
        scope.check()
        let cursor = try CursorHandle(transaction: raw, database: database.handle)
        try key.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            var v = MDB_val()
            var status: Int32
            if let start {
                status = start.withUnsafeBytes { startBytes in
                    v = MDB_val(mv_size: startBytes.count, mv_data: UnsafeMutableRawPointer(mutating: startBytes.baseAddress))
                    return mdb_cursor_get(cursor.raw, &k, &v, MDB_GET_BOTH_RANGE)
                }
            } else {
                status = mdb_cursor_get(cursor.raw, &k, &v, MDB_SET_KEY)
            }
            while status == 0 {
                guard try body(try checked(v, key: k)) else { return }
                status = mdb_cursor_get(cursor.raw, &k, &v, MDB_NEXT_DUP)
            }
            guard status == MDB_NOTFOUND else { throw LMDBError(code: status, operation: "cursor") }
        }
    }

    /// The last entry, or nil when the database is empty.
    public func last(in database: LMDBDatabase) throws -> (key: [UInt8], value: [UInt8])? {
        var found: ([UInt8], [UInt8])?
        try forEach(in: database, reverse: true) { key, value in
            found = (Array(key), Array(value))
            return false
        }
        return found
    }

    /// How many entries (key/value pairs, duplicates counted) the database holds.
    public func count(in database: LMDBDatabase) throws(LMDBError) -> Int {
        scope.check()
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(raw, database.handle, &stat), "stat")
        return stat.ms_entries
    }

    // MARK: writing

    /// Stores `value` under `key`. Returns false (writing nothing) when `.noOverwrite` or
    /// `.noDupData` finds the entry already there; other refusals throw.
    @discardableResult
    public func put(_ value: UnsafeRawBufferPointer, forKey key: UnsafeRawBufferPointer, in database: LMDBDatabase,
                    flags: LMDBPutFlags = []) throws(LMDBError) -> Bool {
        scope.check()
        guard writable else { throw LMDBError(code: EACCES, operation: "put in a read transaction") }
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let status = mdb_put(raw, database.handle, &k, &v, flags.rawValue)
        if status == MDB_KEYEXIST && !flags.isDisjoint(with: [.noOverwrite, .noDupData]) { return false }
        try LMDBError.check(status, "put")
        return true
    }

    @discardableResult
    public func put(_ value: [UInt8], forKey key: [UInt8], in database: LMDBDatabase,
                    flags: LMDBPutFlags = []) throws(LMDBError) -> Bool {
        scope.check()
        guard writable else { throw LMDBError(code: EACCES, operation: "put in a read transaction") }
        let status: Int32 = value.withUnsafeBytes { valueBytes in
            key.withUnsafeBytes { keyBytes in
                var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var v = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                return mdb_put(raw, database.handle, &k, &v, flags.rawValue)
            }
        }
        if status == MDB_KEYEXIST && !flags.isDisjoint(with: [.noOverwrite, .noDupData]) { return false }
        try LMDBError.check(status, "put")
        return true
    }

    /// Deletes `key` (all its values in a dupSort database); false when it was absent.
    @discardableResult
    public func delete(_ key: [UInt8], in database: LMDBDatabase) throws(LMDBError) -> Bool {
        scope.check()
        guard writable else { throw LMDBError(code: EACCES, operation: "delete in a read transaction") }
        let status = key.withUnsafeBytes { bytes in
            var k = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            return mdb_del(raw, database.handle, &k, nil)
        }
        if status == MDB_NOTFOUND { return false }
        try LMDBError.check(status, "delete")
        return true
    }

    /// Removes every entry of the database (keeps the database).
    public func clear(_ database: LMDBDatabase) throws(LMDBError) {
        scope.check()
        guard writable else { throw LMDBError(code: EACCES, operation: "clear in a read transaction") }
        try LMDBError.check(mdb_drop(raw, database.handle, 0), "clear")
    }
}

/// Marks whether a transaction is still inside its closure.
final class TransactionScope: Sendable {
    private let open = Atomic(true)
    func close() { open.store(false, ordering: .relaxed) }
    func check() { precondition(open.load(ordering: .relaxed), "an LMDB transaction was used after its closure returned") }
}

/// Owns one MDB_cursor, closed in deinit and nowhere else.
private final class CursorHandle {
    let raw: OpaquePointer

    init(transaction: OpaquePointer, database: MDB_dbi) throws(LMDBError) {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(transaction, database, &cursor), "cursor_open")
        raw = cursor!
    }

    deinit { mdb_cursor_close(raw) }
}
