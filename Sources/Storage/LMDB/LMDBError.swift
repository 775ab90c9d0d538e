internal import CLMDB

/// An LMDB failure: the return code, what was being done, and LMDB's own message; or a damaged
/// store refused before LMDB read it (`damage` names the file and what is wrong).
public struct LMDBError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int32
    public let operation: String
    /// Set when the store's file itself is damaged (truncated, not LMDB's, a value past its end).
    public let damage: StoreDamage?
    /// The environment (directory) the failure happened in, when known.
    public private(set) var store: String?

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        damage = nil
    }

    /// This error with `store` named (unless it already names one, or its damage does).
    func naming(_ store: String) -> LMDBError {
        var copy = self
        if copy.store == nil && damage == nil { copy.store = store }
        return copy
    }

    /// A damaged store (MDB_CORRUPTED, with the reason).
    public init(damage: StoreDamage) {
        code = MDB_CORRUPTED
        operation = "open \(damage.path)"
        self.damage = damage
    }

    public var description: String {
        if let damage { return damage.description }
        return "LMDB \(operation) failed: \(String(cString: mdb_strerror(code))) (\(code))" + (store.map { " in the store \($0)" } ?? "")
    }
    public var isMapFull: Bool { code == MDB_MAP_FULL }
    public var isNotFound: Bool { code == MDB_NOTFOUND }
    public var isKeyExist: Bool { code == MDB_KEYEXIST }

    /// Throws when `code` is not MDB_SUCCESS.
    static func check(_ code: Int32, _ operation: String) throws(LMDBError) {
        guard code == 0 else { throw LMDBError(code: code, operation: operation) }
    }
}
