import EventModel
import Foundation
import LMDB

/// One batch of index entries (key bytes → sequence) gathered by the indexer: key bytes go into
/// one arena instead of an array each, and the entries are sorted by key then sequence so each
/// key's entries are appended together and each index page is touched once per batch.
struct IndexBatch {
    private var arena: [UInt8] = []
    private var entries: [(start: Int32, length: Int32, sequence: UInt64)] = []

    var isEmpty: Bool { entries.isEmpty }

    init(capacity: Int) {
        arena.reserveCapacity(capacity * 24)
        entries.reserveCapacity(capacity)
    }

    /// Adds an entry whose key is `prefix` (if any) followed by `bytes`.
    mutating func add(prefix: UInt8? = nil, _ bytes: UnsafeRawBufferPointer, sequence: UInt64) {
        let start = arena.count
        if let prefix { arena.append(prefix) }
        arena.append(contentsOf: bytes)
        entries.append((Int32(start), Int32(arena.count - start), sequence))
    }

    /// Sorts by key bytes, then by sequence.
    mutating func sort() {
        arena.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!
            entries.sort { a, b in
                let common = Int(min(a.length, b.length))
                let order = memcmp(base + Int(a.start), base + Int(b.start), common)
                if order != 0 { return order < 0 }
                if a.length != b.length { return a.length < b.length }
                return a.sequence < b.sequence
            }
        }
    }

    /// Visits every entry: its key bytes and sequence.
    func forEach(_ body: (UnsafeRawBufferPointer, UInt64) throws -> Void) rethrows {
        try arena.withUnsafeBytes { bytes in
            for entry in entries {
                try body(UnsafeRawBufferPointer(rebasing: bytes[Int(entry.start)..<Int(entry.start + entry.length)]), entry.sequence)
            }
        }
    }

    /// Writes every entry into `database` with `flags`.
    func write(into database: LMDBDatabase, flags: LMDBPutFlags, in transaction: inout LMDBTransaction) throws {
        try arena.withUnsafeBytes { bytes in
            for entry in entries {
                let key = UnsafeRawBufferPointer(rebasing: bytes[Int(entry.start)..<Int(entry.start + entry.length)])
                try withUnsafeBytes(of: entry.sequence.bigEndian) { value in
                    try transaction.put(value, forKey: key, in: database, flags: flags)
                }
            }
        }
    }
}
