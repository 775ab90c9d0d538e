internal import CLMDB

/// An LMDB failure: the return code, what was being done, and LMDB's own message.
public struct LMDBError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int32
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    public var description: String { "LMDB \(operation) failed: \(String(cString: mdb_strerror(code))) (\(code))" }
    public var isMapFull: Bool { code == MDB_MAP_FULL }
    public var isNotFound: Bool { code == MDB_NOTFOUND }
    public var isKeyExist: Bool { code == MDB_KEYEXIST }

    /// Throws when `code` is not MDB_SUCCESS.
    static func check(_ code: Int32, _ operation: String) throws(LMDBError) {
        guard code == 0 else { throw LMDBError(code: code, operation: operation) }
    }
}
