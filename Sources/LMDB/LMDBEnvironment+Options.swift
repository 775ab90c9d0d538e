// LMDBEnvironment+Options: how an environment is opened (map size, limits, durability, read-only).
internal import CLMDB
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

extension LMDBEnvironment {
    /// How commits reach the disk. Every mode keeps the database consistent after a crash of the process;
    /// they differ in what a crash of the machine (or power loss) may lose.
    public enum Durability: Sendable, Hashable {
        /// Flush data and meta page on every commit: a committed transaction survives a machine crash.
        case fsync
        /// `MDB_NOMETASYNC`: flush data but not the meta page; a machine crash may lose the last commit
        /// (never consistency). `sync(force: true)` flushes it.
        case noMetaSync
        /// `MDB_NOSYNC`: leave write-back to the OS; a machine crash may lose the last commits (a process
        /// crash loses nothing). `sync(force: true)` flushes everything.
        case noSync

        var flags: UInt32 {
            switch self {
            case .fsync: 0
            case .noMetaSync: UInt32(MDB_NOMETASYNC)
            case .noSync: UInt32(MDB_NOSYNC)
            }
        }
    }

    /// The settings an environment is opened with. The map grows on demand in `write`, so `mapSize` is
    /// only the starting size (a larger size already on disk wins).
    public struct Options: Sendable, Hashable {
        /// Initial memory-map size in bytes (64 MiB by default); doubled whenever a write fills it.
        public var mapSize: Int
        /// Upper bound for growth; a write that would need a larger map fails with `MDB_MAP_FULL`.
        public var maxMapSize: Int
        /// How many named databases the environment may hold.
        public var maxDatabases: Int
        /// How many read transactions may be open at once, across every process using the environment.
        public var maxReaders: Int
        /// How commits are flushed to disk.
        public var durability: Durability
        /// Open for reading only (`MDB_RDONLY`): writes fail with `EACCES`, the directory is not created.
        public var readOnly: Bool

        /// Creates options; every parameter has the documented default.
        public init(
            mapSize: Int = 64 << 20, maxMapSize: Int = 1 << 40, maxDatabases: Int = 32, maxReaders: Int = 512,
            durability: Durability = .fsync, readOnly: Bool = false
        ) {
            self.mapSize = mapSize
            self.maxMapSize = maxMapSize
            self.maxDatabases = maxDatabases
            self.maxReaders = maxReaders
            self.durability = durability
            self.readOnly = readOnly
        }

        /// The environment flags: no thread-local reader slots, plus durability and read-only bits.
        var environmentFlags: UInt32 {
            UInt32(MDB_NOTLS) | durability.flags | (readOnly ? UInt32(MDB_RDONLY) : 0)
        }

        /// Throws `EINVAL` for values LMDB cannot take.
        func validate() throws(LMDBError) {
            guard mapSize > 0, maxMapSize >= mapSize, (0...Int(Int32.max)).contains(maxDatabases),
                  (1...Int(Int32.max)).contains(maxReaders)
            else {
                throw LMDBError(code: EINVAL, operation: "LMDBEnvironment.Options: \(self)")
            }
        }
    }
}
