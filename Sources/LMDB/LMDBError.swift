// LMDBError: the one error type of the LMDB wrapper, an LMDB (or errno) return code plus the call that
// produced it.
internal import CLMDB
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A failed LMDB call: the return code (an `MDB_*` code or an errno value) and the operation that returned it.
/// The description spells the code out with `mdb_strerror`.
public struct LMDBError: Error, Equatable, CustomStringConvertible {
    /// The code LMDB returned: negative `MDB_*` codes, or positive errno values such as `EACCES`.
    public let code: Int32
    /// The LMDB call (or wrapper step) that failed, such as `"mdb_put"`.
    public let operation: String

    /// Creates an error for `code` returned by `operation`.
    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    public var description: String {
        "\(operation) failed: \(String(cString: mdb_strerror(code))) (\(code))"
    }

    /// The LMDB return codes callers commonly test for, as plain values of `LMDBError.code`.
    public enum Code {
        /// `MDB_KEYEXIST`: the key (or key/value pair) exists, or an `.append` put was out of order.
        public static let keyExist: Int32 = MDB_KEYEXIST
        /// `MDB_NOTFOUND`: no such key or value.
        public static let notFound: Int32 = MDB_NOTFOUND
        /// `MDB_MAP_FULL`: the memory map is full (`LMDBEnvironment.write` grows it and retries).
        public static let mapFull: Int32 = MDB_MAP_FULL
        /// `MDB_MAP_RESIZED`: another process grew the map (handled inside the wrapper).
        public static let mapResized: Int32 = MDB_MAP_RESIZED
        /// `MDB_DBS_FULL`: more named databases than `Options.maxDatabases`.
        public static let databasesFull: Int32 = MDB_DBS_FULL
        /// `MDB_READERS_FULL`: more concurrent read transactions than `Options.maxReaders`.
        public static let readersFull: Int32 = MDB_READERS_FULL
        /// `MDB_TXN_FULL`: one transaction touched too many pages.
        public static let transactionFull: Int32 = MDB_TXN_FULL
        /// `MDB_BAD_VALSIZE`: an empty key, a key longer than `maxKeySize`, or a bad `dupSort` value.
        public static let badValueSize: Int32 = MDB_BAD_VALSIZE
        /// `MDB_INCOMPATIBLE`: a database opened with flags that do not match the ones it was created with.
        public static let incompatible: Int32 = MDB_INCOMPATIBLE
        /// `EACCES`: a write attempted in a read-only environment.
        public static let accessDenied: Int32 = EACCES
        /// `EDEADLK`: a call that would deadlock (for example `write` inside a transaction on the same thread).
        public static let wouldDeadlock: Int32 = EDEADLK
    }

    /// True for `MDB_MAP_FULL`.
    public var isMapFull: Bool { code == Code.mapFull }
    /// True for `MDB_NOTFOUND`.
    public var isNotFound: Bool { code == Code.notFound }
    /// True for `MDB_KEYEXIST`.
    public var isKeyExist: Bool { code == Code.keyExist }
    /// True for `MDB_MAP_RESIZED`.
    public var isMapResized: Bool { code == Code.mapResized }
    /// True for `MDB_READERS_FULL`.
    public var isReadersFull: Bool { code == Code.readersFull }
    /// True for `MDB_DBS_FULL`.
    public var isDatabasesFull: Bool { code == Code.databasesFull }
    /// True for `MDB_INCOMPATIBLE`.
    public var isIncompatible: Bool { code == Code.incompatible }
    /// True for `EACCES`, which LMDB returns for writes in a read-only environment.
    public var isAccessDenied: Bool { code == Code.accessDenied }
}

/// Throws an `LMDBError` unless `code` is `MDB_SUCCESS`.
@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if code != MDB_SUCCESS { throw LMDBError(code: code, operation: operation()) }
}
