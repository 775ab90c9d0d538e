import Foundation
import LMDB

/// The topic and key indexes, in their own LMDB environment (`<log>/index/`) so that building them
/// never waits for, or holds up, the writer's lock on the events:
/// - `topics`: topic name → u64 BE sequences (dup-sorted)
/// - `keys`: kind byte ‖ key value → u64 BE sequences (dup-sorted)
/// - `meta`: "indexed" → the last sequence the indexes cover, written with the entries.
/// The index is derived data: it uses MDB_NOMETASYNC (a crash may lose its last batch, never
/// corrupt it), and an index ahead of the log (a machine crash lost log commits) is reset and rebuilt.
struct IndexStore: Sendable {
    let environment: LMDBEnvironment
    let topics: LMDBDatabase
    let keys: LMDBDatabase
    let meta: LMDBDatabase

    static let indexedKey: [UInt8] = Array("indexed".utf8)

    /// Opens the index of the log in `logDirectory`; nil when read-only and no index exists yet.
    static func open(logDirectory: String, readOnly: Bool, mapSize: Int) throws -> IndexStore? {
        let path = logDirectory + "/index"
        if readOnly && !FileManager.default.fileExists(atPath: path + "/data.mdb") { return nil }
        var options = LMDBEnvironment.Options()
        options.durability = .noMetaSync
        options.readOnly = readOnly
        options.mapSize = mapSize
        let environment = try LMDBEnvironment(path: path, options: options)
        return IndexStore(
            environment: environment,
            topics: try environment.database("topics", flags: [.dupSort, .dupFixed]),
            keys: try environment.database("keys", flags: [.dupSort, .dupFixed]),
            meta: try environment.database("meta"))
    }

    /// The last sequence the indexes cover.
    func indexedThrough() throws -> UInt64 {
        let meta = meta
        return try environment.read { transaction in
            transaction.withValue(Self.indexedKey, in: meta) { LogDatabases.decodeSequence($0) } ?? 0
        }
    }

    /// Empties the indexes (they are rebuilt from the log).
    func reset() throws {
        let (topics, keys, meta) = (topics, keys, meta)
        try environment.write { transaction in
            try transaction.clear(topics)
            try transaction.clear(keys)
            try transaction.clear(meta)
        }
    }
}
