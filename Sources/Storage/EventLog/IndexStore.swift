import Foundation
import LMDB

/// The derived indexes, in their own LMDB environment (`<log>/index/`) so that building them
/// never waits for, or holds up, the writer's lock on the events:
/// - `ids`: event id (UTF-8) → u64 BE sequence (idempotency; the newest ids are in `RecentIDs`)
/// - `topics`: topic name → u64 BE sequences (dup-sorted)
/// - `keys`: kind byte ‖ key value → u64 BE sequences (dup-sorted)
/// - `meta`: "indexed" → the last sequence the indexes cover, written with the entries;
///   "layout" → the index layout version (an older layout is reset and rebuilt).
/// The index is derived data: it uses MDB_NOMETASYNC (a crash may lose its last batch, never
/// corrupt it), and an index ahead of the log (a machine crash lost log commits) is reset and rebuilt.
struct IndexStore: Sendable {
    let environment: LMDBEnvironment
    let ids: LMDBDatabase
    let topics: LMDBDatabase
    let keys: LMDBDatabase
    let meta: LMDBDatabase

    static let indexedKey: [UInt8] = Array("indexed".utf8)
    static let layoutKey: [UInt8] = Array("layout".utf8)
    /// Layout 2 added `ids` (layout 1 kept them in the log's own environment).
    static let layout: [UInt8] = [2]

    /// Opens the index of the log in `logDirectory`; nil when read-only and no index of this
    /// layout exists yet (scans and id lookups then walk the events).
    static func open(logDirectory: String, readOnly: Bool, mapSize: Int) throws -> IndexStore? {
        let path = logDirectory + "/index"
        if readOnly && !FileManager.default.fileExists(atPath: path + "/data.mdb") { return nil }
        var options = LMDBEnvironment.Options()
        options.durability = .noMetaSync
        options.readOnly = readOnly
        options.mapSize = mapSize
        let environment = try LMDBEnvironment(path: path, options: options)
        let meta = try environment.database("meta")
        let currentLayout = try environment.read { try $0.get(layoutKey, in: meta) }
        if readOnly && currentLayout != layout { return nil }
        let store = IndexStore(
            environment: environment,
            ids: try environment.database("ids"),
            topics: try environment.database("topics", flags: [.dupSort, .dupFixed]),
            keys: try environment.database("keys", flags: [.dupSort, .dupFixed]),
            meta: meta)
        if currentLayout != layout { try store.reset() }
        return store
    }

    /// The last sequence the indexes cover.
    func indexedThrough() throws -> UInt64 {
        try environment.read { try indexedThrough(in: $0) }
    }

    /// The last sequence the indexes cover, as `transaction` sees them.
    func indexedThrough(in transaction: LMDBTransaction) throws -> UInt64 {
        try transaction.withValue(Self.indexedKey, in: meta) { LogDatabases.decodeSequence($0) } ?? 0
    }

    /// The sequence the index holds for `id` (only ids at or below its checkpoint are there).
    func sequence(ofID id: [UInt8], in transaction: LMDBTransaction) throws -> UInt64? {
        try transaction.withValue(id, in: ids) { LogDatabases.decodeSequence($0) }
    }

    /// Empties the indexes (they are rebuilt from the log) and stamps the current layout.
    func reset() throws {
        let (ids, topics, keys, meta) = (ids, topics, keys, meta)
        try environment.write { transaction in
            try transaction.clear(ids)
            try transaction.clear(topics)
            try transaction.clear(keys)
            try transaction.clear(meta)
            try transaction.put(Self.layout, forKey: Self.layoutKey, in: meta)
        }
    }
}
