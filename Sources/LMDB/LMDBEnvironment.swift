// LMDBEnvironment: the owner of an MDB_env (open, close, named databases, sync, backup copies).
internal import CLMDB
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// An open LMDB environment: one directory holding `data.mdb` and `lock.mdb`, with named databases,
/// transactions (`read`, `write`) and a memory map that grows when a write fills it.
public final class LMDBEnvironment: @unchecked Sendable {
    // Why @unchecked Sendable is sound: the MDB_env is opened with MDB_NOTLS, and LMDB documents its
    // environment functions as thread-safe; the only things that are not (remapping the map, opening
    // database handles) are serialized here by `resizeLock` and by the `databases` mutex. Every stored
    // property is immutable or itself thread-safe.

    /// The environment handle; closed once, in `deinit`.
    let pointer: OpaquePointer
    /// Shared by every transaction, exclusive while the map is resized.
    let resizeLock = ResizeLock()
    /// Named databases opened so far; the mutex also serializes `mdb_dbi_open` as LMDB requires.
    private let databases = Mutex<[String: LMDBDatabase]>([:])
    /// The ceiling for map growth (`Options.maxMapSize`).
    let maxMapSize: Int

    /// The environment directory.
    public let path: String
    /// True when opened with `Options.readOnly`.
    public let isReadOnly: Bool

    /// Opens (creating if needed) the environment in directory `path`, which is itself created when missing
    /// unless `options.readOnly`. Throws `ENOTDIR` when `path` is not a directory.
    public init(path: String, options: Options = Options()) throws(LMDBError) {
        try options.validate()
        try prepareDirectory(path, create: !options.readOnly)
        var created: OpaquePointer?
        try check(mdb_env_create(&created), "mdb_env_create")
        guard let env = created else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create") }
        do throws(LMDBError) {
            try check(mdb_env_set_mapsize(env, options.mapSize), "mdb_env_set_mapsize")
            try check(mdb_env_set_maxdbs(env, MDB_dbi(options.maxDatabases)), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(env, UInt32(options.maxReaders)), "mdb_env_set_maxreaders")
            try check(mdb_env_open(env, path, options.environmentFlags, 0o644), "mdb_env_open(\(path))")
        } catch {
            mdb_env_close(env)  // LMDB requires closing the handle after a failed open
            throw error
        }
        // Free reader slots left behind by processes that died mid-read (harmless when there are none).
        var staleReaders: Int32 = 0
        _ = mdb_reader_check(env, &staleReaders)
        pointer = env
        maxMapSize = options.maxMapSize
        self.path = path
        isReadOnly = options.readOnly
    }

    deinit {
        // No transaction or cursor can be open: each lives inside a call that keeps `self` alive.
        mdb_env_close(pointer)
    }

    // MARK: Named databases

    /// Opens the named database, creating it (in its own short write transaction) when missing; in a
    /// read-only environment it must already exist (`MDB_NOTFOUND`). Handles are cached per name; asking
    /// again with other flags throws `MDB_INCOMPATIBLE`. Call it outside `read`/`write` bodies.
    @available(*, noasync, message: "blocks on LMDB's writer lock; call it from your own thread")
    public func database(_ name: String, flags: LMDBDatabase.Flags = []) throws(LMDBError) -> LMDBDatabase {
        try databases.withLock { (cache) throws(LMDBError) -> LMDBDatabase in
            if let known = cache[name] {
                guard known.flags == flags else {
                    throw LMDBError(code: MDB_INCOMPATIBLE, operation: "database(\(name)): opened with other flags")
                }
                return known
            }
            guard !resizeLock.isHeldByCurrentThread else {
                throw LMDBError(code: EDEADLK, operation: "database(\(name)) inside a transaction on this thread")
            }
            // Commit even a read-only transaction: the handle only outlives a transaction that commits.
            let create = !isReadOnly
            let opened = try transact(readOnly: isReadOnly, commit: true) { ops, _ throws(LMDBError) in
                try ops.openDatabase(name, flags: flags, create: create)
            }
            cache[name] = opened
            return opened
        }
    }

    // MARK: Map, disk and backups

    /// The current size of the memory map in bytes (it grows as writes need more room).
    public var mapSize: Int {
        resizeLock.withShared { currentMapSize() }
    }

    /// The largest key LMDB accepts in this environment, in bytes (511 for a default build).
    public var maxKeySize: Int {
        Int(mdb_env_get_maxkeysize(pointer))
    }

    /// Flushes committed data to disk; with `force`, even under `.noSync`/`.noMetaSync` durability.
    @available(*, noasync, message: "blocks on disk I/O; call it from your own thread")
    public func sync(force: Bool) throws(LMDBError) {
        try check(mdb_env_sync(pointer, force ? 1 : 0), "mdb_env_sync")
    }

    /// Writes a consistent copy of the environment into directory `path` (created when missing; it must not
    /// already hold a `data.mdb`), compacting free pages when `compact`. Writers may continue meanwhile.
    @available(*, noasync, message: "blocks on disk I/O; call it from your own thread")
    public func copy(to path: String, compact: Bool = false) throws(LMDBError) {
        try prepareDirectory(path, create: true)
        let flags: UInt32 = compact ? UInt32(MDB_CP_COMPACT) : 0
        let code = resizeLock.withShared { mdb_env_copy2(pointer, path, flags) }
        try check(code, "mdb_env_copy2(\(path))")
    }

    /// The map size as LMDB currently has it; call with `resizeLock` held.
    func currentMapSize() -> Int {
        var info = MDB_envinfo()
        _ = mdb_env_info(pointer, &info)  // cannot fail on an open environment
        return info.me_mapsize
    }
}
