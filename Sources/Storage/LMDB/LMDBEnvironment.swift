internal import CLMDB
import Foundation
import Synchronization

/// One LMDB environment (a directory holding data.mdb and lock.mdb) and its named databases.
/// Transactions live only inside `read` and `write` closures; a full map grows instead of failing.
/// Calls block: run them on your own threads, never on Swift's cooperative pool.
public final class LMDBEnvironment: Sendable {
    // LMDB environments are thread-safe with MDB_NOTLS; the database cache is behind a Mutex, and map
    // growth is serialized against every transaction by `resizeLock`.

    /// When a commit reaches the disk.
    public enum Durability: Sendable {
        /// fsync data and metadata on every commit (the default): a committed transaction survives a power cut.
        case fsync
        /// MDB_NOMETASYNC: data is synced, the meta page on the next commit; a machine crash may lose the last commit.
        case noMetaSync
        /// MDB_NOSYNC: the OS writes back when it likes; a process crash loses nothing, a machine crash may lose recent commits.
        case noSync
    }

    /// How the environment is opened.
    public struct Options: Sendable {
        public var mapSize = 64 << 20
        public var maxDatabases: UInt32 = 32
        public var maxReaders: UInt32 = 512
        public var durability = Durability.fsync
        public var readOnly = false
        /// MDB_WRITEMAP: commits write through the memory map instead of copying dirty pages with
        /// pwrite (durability is unchanged: fsync becomes msync). Faster commits; the data file is
        /// sized to the map (sparse).
        public var writeMap = false
        public init() {}
    }

    private let handle: EnvironmentHandle
    /// Where the data file is mapped: values read are checked to lie inside it.
    private let bounds: MapBounds
    private let resizeLock = ResizeLock()
    private let databases = Mutex<[String: LMDBDatabase]>([:])
    public let path: String
    public let readOnly: Bool

    /// Opens (creating the directory unless read-only) the environment at `path`.
    public init(path: String, options: Options = Options()) throws(LMDBError) {
        self.path = path
        readOnly = options.readOnly
        if !options.readOnly {
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw LMDBError(code: ENOTDIR, operation: "create directory \(path)")
            }
        }
        try MetaPages.check(directory: path)
        handle = try EnvironmentHandle()
        try LMDBError.check(mdb_env_set_maxdbs(handle.raw, MDB_dbi(options.maxDatabases)), "set_maxdbs")
        try LMDBError.check(mdb_env_set_maxreaders(handle.raw, options.maxReaders), "set_maxreaders")
        try LMDBError.check(mdb_env_set_mapsize(handle.raw, options.mapSize), "set_mapsize")
        var flags = UInt32(MDB_NOTLS)
        switch options.durability {
        case .fsync: break
        case .noMetaSync: flags |= UInt32(MDB_NOMETASYNC)
        case .noSync: flags |= UInt32(MDB_NOSYNC)
        }
        if options.readOnly { flags |= UInt32(MDB_RDONLY) }
        if options.writeMap && !options.readOnly { flags |= UInt32(MDB_WRITEMAP) }
        try LMDBError.check(mdb_env_open(handle.raw, path, flags, 0o644), "open \(path)")
        bounds = MapBounds(file: path + "/data.mdb")
    }

    /// The current map size in bytes.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle.raw, &info)
        return info.me_mapsize
    }

    /// Opens (creating unless read-only) the named database; cached per name.
    public func database(_ name: String, flags: LMDBDatabase.Flags = []) throws(LMDBError) -> LMDBDatabase {
        if let cached = databases.withLock({ $0[name] }) { return cached }
        var dbi: MDB_dbi = 0
        let openFlags = flags.rawValue | (readOnly ? 0 : UInt32(MDB_CREATE))
        let status: (code: Int32, operation: String) = resizeLock.shared {
            var transaction: OpaquePointer?
            let begun = mdb_txn_begin(handle.raw, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &transaction)
            guard begun == 0 else { return (begun, "txn_begin") }
            let opened = mdb_dbi_open(transaction, name, openFlags, &dbi)
            guard opened == 0 else {
                mdb_txn_abort(transaction)
                return (opened, "open database \(name)")
            }
            return (mdb_txn_commit(transaction), "commit database \(name)")
        }
        try LMDBError.check(status.code, status.operation)
        let database = LMDBDatabase(handle: dbi)
        databases.withLock { $0[name] = database }
        return database
    }

    /// Runs `body` in a read-only snapshot (adopting a map another process grew, if it must).
    /// An LMDB failure names this environment's path.
    public func read<R>(_ body: (LMDBTransaction) throws -> R) throws -> R {
        do {
            do { return try readOnce(body) } catch let error as LMDBError where error.code == MDB_MAP_RESIZED {
                try adoptResize()
                return try readOnce(body)
            }
        } catch let error as LMDBError { throw error.naming(path) }
    }

    private func readOnce<R>(_ body: (LMDBTransaction) throws -> R) throws -> R {
        try resizeLock.shared {
            let raw = try begin(flags: UInt32(MDB_RDONLY), "read txn_begin")
            let transaction = LMDBTransaction(raw: raw, writable: false, bounds: bounds)
            defer {
                transaction.scope.close()
                mdb_txn_abort(raw)
            }
            return try body(transaction)
        }
    }

    /// Runs `body` in a write transaction and commits it. If the map fills up (in a put or at
    /// commit) the transaction is aborted, the map doubled, and `body` run again from the start:
    /// `body` must be re-runnable. Any other error aborts and is rethrown; nothing is written.
    /// An LMDB failure names this environment's path.
    public func write<R>(_ body: (inout LMDBTransaction) throws -> R) throws -> R {
        do { return try writeGrowing(body) } catch let error as LMDBError { throw error.naming(path) }
    }

    private func writeGrowing<R>(_ body: (inout LMDBTransaction) throws -> R) throws -> R {
        guard !readOnly else { throw LMDBError(code: EACCES, operation: "write on a read-only environment") }
        while true {
            do {
                return try resizeLock.shared { try writeOnce(body) }
            } catch let error as LMDBError where error.isMapFull {
                try grow()
            } catch let error as LMDBError where error.code == MDB_MAP_RESIZED {
                try adoptResize()
            }
        }
    }

    /// Begins a transaction (called with the shared lock held). MDB_MAP_RESIZED means another
    /// process grew the map; it is thrown so the caller can adopt the new size and retry.
    private func begin(flags: UInt32, _ operation: String) throws(LMDBError) -> OpaquePointer {
        var raw: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(handle.raw, nil, flags, &raw), operation)
        return raw!
    }

    /// Takes the map size another process set (mdb_env_set_mapsize with 0 adopts it).
    private func adoptResize() throws(LMDBError) {
        let status = resizeLock.exclusive {
            defer { bounds.refresh() }
            return mdb_env_set_mapsize(handle.raw, 0)
        }
        try LMDBError.check(status, "adopt map size")
    }

    private func writeOnce<R>(_ body: (inout LMDBTransaction) throws -> R) throws -> R {
        let raw = try begin(flags: 0, "write txn_begin")
        var transaction = LMDBTransaction(raw: raw, writable: true, bounds: bounds)
        let result: R
        do {
            result = try body(&transaction)
        } catch {
            transaction.scope.close()
            mdb_txn_abort(raw)
            throw error
        }
        transaction.scope.close()
        try LMDBError.check(mdb_txn_commit(raw), "commit")  // a failed commit frees the transaction too
        return result
    }

    /// Doubles the map size; needs every transaction of this process closed (the exclusive lock).
    private func grow() throws(LMDBError) {
        let status = resizeLock.exclusive {
            defer { bounds.refresh() }
            return mdb_env_set_mapsize(handle.raw, mapSize * 2)
        }
        try LMDBError.check(status, "grow map")
    }

    /// Flushes to disk (for the no-sync durabilities); `force` syncs even with MDB_NOSYNC.
    public func sync(force: Bool = true) throws(LMDBError) {
        try LMDBError.check(mdb_env_sync(handle.raw, force ? 1 : 0), "sync")
    }

    /// Copies the environment to an empty directory (a consistent backup), compacting if asked.
    public func copy(to path: String, compact: Bool = false) throws(LMDBError) {
        try LMDBError.check(mdb_env_copy2(handle.raw, path, compact ? UInt32(MDB_CP_COMPACT) : 0), "copy to \(path)")
    }
}

/// Owns the MDB_env pointer; closed in deinit and nowhere else.
private final class EnvironmentHandle: @unchecked Sendable {
    // @unchecked: the pointer is only passed to LMDB, which is thread-safe for an environment.
    let raw: OpaquePointer

    init() throws(LMDBError) {
        var environment: OpaquePointer?
        try LMDBError.check(mdb_env_create(&environment), "env_create")
        raw = environment!
    }

    deinit { mdb_env_close(raw) }
}
