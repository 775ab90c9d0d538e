// TransactionOps+Cursors: ordered walks over a database (keys, duplicates, first and last) with a Cursor.
internal import CLMDB

extension TransactionOps {
    /// Walks `db` in key order (descending when `reverse`) from `start` (the first key >= start, or
    /// <= start when reversing; every key when nil), calling `body` until it returns false.
    func walk(
        in db: LMDBDatabase, from start: UnsafeRawBufferPointer?, reverse: Bool,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var cursor = try Cursor(txn: txn, dbi: db.dbi)
        var found: Bool
        if let start {
            found = try cursor.seek(MDB_SET_RANGE, key: start)
            if reverse {
                if !found {
                    found = try cursor.move(MDB_LAST)  // every key sorts before `start`
                } else if compareKeys(cursor.key, MDB_val(start), in: db) != 0 {
                    found = try cursor.move(MDB_PREV)  // landed past `start`: step back below it
                } else if db.flags.contains(.dupSort) {
                    found = try cursor.move(MDB_LAST_DUP)  // on `start` itself: begin at its last value
                }
            }
        } else {
            found = try cursor.move(reverse ? MDB_LAST : MDB_FIRST)
        }
        let step = reverse ? MDB_PREV : MDB_NEXT
        while found {
            guard try body(cursor.key.buffer, cursor.value.buffer) else { return }
            found = try cursor.move(step)
        }
    }

    /// Walks the values of `key` in a `.dupSort` database in value order (descending when `reverse`)
    /// from `start` (the first value >= start, or <= start when reversing), until `body` returns false.
    func walkDuplicates(
        ofKey key: UnsafeRawBufferPointer, in db: LMDBDatabase, from start: UnsafeRawBufferPointer?, reverse: Bool,
        _ body: (UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try requireDupSort(db, "forEachDuplicate")
        var cursor = try Cursor(txn: txn, dbi: db.dbi)
        var found: Bool
        if let start {
            found = try cursor.seek(MDB_GET_BOTH_RANGE, key: key, value: start)
            if reverse {
                if !found {
                    // Either the key is absent or every value sorts before `start`.
                    found = try cursor.seek(MDB_SET_KEY, key: key)
                    if found { found = try cursor.move(MDB_LAST_DUP) }
                } else if compareValues(cursor.value, MDB_val(start), in: db) != 0 {
                    found = try cursor.move(MDB_PREV_DUP)
                }
            }
        } else {
            found = try cursor.seek(MDB_SET_KEY, key: key)
            if found && reverse { found = try cursor.move(MDB_LAST_DUP) }
        }
        let step = reverse ? MDB_PREV_DUP : MDB_NEXT_DUP
        while found {
            guard try body(cursor.value.buffer) else { return }
            found = try cursor.move(step)
        }
    }

    /// How many values `key` holds in a `.dupSort` database (0 when the key is absent).
    func countDuplicates(ofKey key: UnsafeRawBufferPointer, in db: LMDBDatabase) throws(LMDBError) -> Int {
        try requireDupSort(db, "duplicateCount")
        var cursor = try Cursor(txn: txn, dbi: db.dbi)
        guard try cursor.seek(MDB_SET_KEY, key: key) else { return 0 }
        return try cursor.duplicateCount()
    }

    /// A copy of the first (or, with `last`, the last) key/value pair of `db`, or nil when it is empty.
    func edge(of db: LMDBDatabase, last: Bool) throws(LMDBError) -> (key: [UInt8], value: [UInt8])? {
        var cursor = try Cursor(txn: txn, dbi: db.dbi)
        guard try cursor.move(last ? MDB_LAST : MDB_FIRST) else { return nil }
        return (Array(cursor.key.buffer), Array(cursor.value.buffer))
    }

    // MARK: Adapters from Swift byte collections

    /// `walk` with an optional start key given as bytes.
    func forEach(
        in db: LMDBDatabase, from start: [UInt8]?, reverse: Bool,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        guard let start else { return try walk(in: db, from: nil, reverse: reverse, body) }
        try start.withUnsafeBytes { try walk(in: db, from: $0, reverse: reverse, body) }
    }

    /// `walkDuplicates` with the key and optional start value given as bytes.
    func forEachDuplicate(
        ofKey key: some Collection<UInt8>, in db: LMDBDatabase, from start: [UInt8]?, reverse: Bool,
        _ body: (UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try Array(key).withUnsafeBytes { rawKey in
            guard let start else { return try walkDuplicates(ofKey: rawKey, in: db, from: nil, reverse: reverse, body) }
            try start.withUnsafeBytes { try walkDuplicates(ofKey: rawKey, in: db, from: $0, reverse: reverse, body) }
        }
    }

    /// `countDuplicates` with the key given as bytes.
    func duplicateCount(ofKey key: some Collection<UInt8>, in db: LMDBDatabase) throws(LMDBError) -> Int {
        try withBytes(key) { raw in
            Result { () throws(LMDBError) -> Int in try countDuplicates(ofKey: raw, in: db) }
        }.get()
    }

    private func requireDupSort(_ db: LMDBDatabase, _ operation: String) throws(LMDBError) {
        guard db.flags.contains(.dupSort) else {
            throw LMDBError(code: MDB_INCOMPATIBLE, operation: "\(operation) on \(db.name), which is not .dupSort")
        }
    }
}
