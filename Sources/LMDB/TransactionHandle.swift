// TransactionHandle: the single owner of an MDB_txn pointer.
internal import CLMDB
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Owns one `MDB_txn`: it is ended exactly once, by `commit()`, by `abort()`, or by `deinit` (abort).
/// Being `~Copyable`, the pointer can be neither duplicated nor used after it is consumed.
struct TransactionHandle: ~Copyable {
    /// The live transaction; valid until this value is consumed or destroyed.
    let pointer: OpaquePointer

    /// Begins a transaction in `environment` (`MDB_RDONLY` when `readOnly`).
    init(environment: OpaquePointer, readOnly: Bool) throws(LMDBError) {
        var txn: OpaquePointer?
        let flags: UInt32 = readOnly ? UInt32(MDB_RDONLY) : 0
        try check(mdb_txn_begin(environment, nil, flags, &txn), readOnly ? "mdb_txn_begin(read)" : "mdb_txn_begin(write)")
        guard let txn else { throw LMDBError(code: EINVAL, operation: "mdb_txn_begin returned no transaction") }
        pointer = txn
    }

    deinit { mdb_txn_abort(pointer) }

    /// Commits; LMDB frees the transaction whether or not the commit succeeds.
    consuming func commit() throws(LMDBError) {
        let txn = pointer
        discard self
        try check(mdb_txn_commit(txn), "mdb_txn_commit")
    }

    /// Aborts, discarding every change (the normal end of a read transaction).
    consuming func abort() {
        let txn = pointer
        discard self
        mdb_txn_abort(txn)
    }
}
