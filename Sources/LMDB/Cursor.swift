// Cursor: the single owner of an MDB_cursor pointer, used only inside one cursor walk.
internal import CLMDB
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Owns one `MDB_cursor`, closed exactly once by `deinit`. It lives inside a single call of a
/// transaction's iteration API, so it is always closed before its transaction ends.
struct Cursor: ~Copyable {
    private let pointer: OpaquePointer
    /// The key and value at the cursor after the last successful move (pointing into the map).
    private(set) var key = MDB_val()
    private(set) var value = MDB_val()

    /// Opens a cursor on database `dbi` of transaction `txn`.
    init(txn: OpaquePointer, dbi: UInt32) throws(LMDBError) {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open")
        guard let cursor else { throw LMDBError(code: EINVAL, operation: "mdb_cursor_open returned no cursor") }
        pointer = cursor
    }

    deinit { mdb_cursor_close(pointer) }

    /// Performs `op`; true when the cursor landed on an item, false for `MDB_NOTFOUND`.
    mutating func move(_ op: MDB_cursor_op) throws(LMDBError) -> Bool {
        try settle(mdb_cursor_get(pointer, &key, &value, op))
    }

    /// Performs a positioning `op` (`MDB_SET_KEY`, `MDB_SET_RANGE`, `MDB_GET_BOTH_RANGE`) that reads its
    /// target from `key` (and `value`); the buffers only need to live for this call.
    mutating func seek(
        _ op: MDB_cursor_op, key probeKey: UnsafeRawBufferPointer, value probeValue: UnsafeRawBufferPointer? = nil
    ) throws(LMDBError) -> Bool {
        key = MDB_val(probeKey)
        value = probeValue.map { MDB_val($0) } ?? MDB_val()
        return try settle(mdb_cursor_get(pointer, &key, &value, op))
    }

    /// How many values the current key holds (`mdb_cursor_count`; dupSort databases only).
    func duplicateCount() throws(LMDBError) -> Int {
        var count = 0
        try check(mdb_cursor_count(pointer, &count), "mdb_cursor_count")
        return count
    }

    private func settle(_ code: Int32) throws(LMDBError) -> Bool {
        if code == MDB_NOTFOUND { return false }
        try check(code, "mdb_cursor_get")
        return true
    }
}
