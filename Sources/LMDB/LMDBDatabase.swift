// LMDBDatabase: the handle of one named database inside an environment, and its creation flags.
internal import CLMDB

/// A named database inside an `LMDBEnvironment`, obtained from `LMDBEnvironment.database(_:flags:)`.
/// It wraps LMDB's `MDB_dbi`, a plain integer valid for the environment's lifetime, so it is freely `Sendable`.
public struct LMDBDatabase: Sendable, Hashable {
    /// The LMDB database index (`MDB_dbi`).
    let dbi: UInt32
    /// The flags the database was opened with.
    public let flags: Flags
    /// The name the database was opened under.
    public let name: String

    init(dbi: UInt32, flags: Flags, name: String) {
        self.dbi = dbi
        self.flags = flags
        self.name = name
    }

    /// How a database orders and stores its keys and values (fixed when the database is created).
    /// The raw values are LMDB's own `MDB_*` database flag bits.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32

        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// `MDB_INTEGERKEY`: keys are native-endian unsigned integers (4 or 8 bytes), compared numerically.
        public static let integerKey = Flags(rawValue: UInt32(MDB_INTEGERKEY))
        /// `MDB_DUPSORT`: a key may hold several values, kept sorted.
        public static let dupSort = Flags(rawValue: UInt32(MDB_DUPSORT))
        /// `MDB_DUPFIXED`: with `.dupSort`, every value of the database has the same size.
        public static let dupFixed = Flags(rawValue: UInt32(MDB_DUPFIXED))
        /// `MDB_INTEGERDUP`: with `.dupSort`, values are native-endian unsigned integers.
        public static let integerDup = Flags(rawValue: UInt32(MDB_INTEGERDUP))
        /// `MDB_REVERSEKEY`: keys are compared from their last byte to their first.
        public static let reverseKey = Flags(rawValue: UInt32(MDB_REVERSEKEY))
        /// `MDB_REVERSEDUP`: with `.dupSort`, values are compared from their last byte to their first.
        public static let reverseDup = Flags(rawValue: UInt32(MDB_REVERSEDUP))
    }
}
