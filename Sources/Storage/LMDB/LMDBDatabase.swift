internal import CLMDB

/// A named database inside an environment (an MDB_dbi: a plain integer, valid for the environment's life).
public struct LMDBDatabase: Sendable, Hashable {
    let handle: UInt32

    /// How a database orders and stores its entries.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Several sorted values per key.
        public static let dupSort = Flags(rawValue: UInt32(MDB_DUPSORT))
        /// With dupSort: all values of a key have the same size.
        public static let dupFixed = Flags(rawValue: UInt32(MDB_DUPFIXED))
        /// Keys are native unsigned integers.
        public static let integerKey = Flags(rawValue: UInt32(MDB_INTEGERKEY))
        public static let integerDup = Flags(rawValue: UInt32(MDB_INTEGERDUP))
        public static let reverseKey = Flags(rawValue: UInt32(MDB_REVERSEKEY))
    }
}

/// How a put treats an existing key.
public struct LMDBPutFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Fail (return false) when the key exists.
    public static let noOverwrite = LMDBPutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    /// The key is greater than every key in the database (fast append; an error otherwise).
    public static let append = LMDBPutFlags(rawValue: UInt32(MDB_APPEND))
    /// With dupSort: the value is greater than the key's other values.
    public static let appendDup = LMDBPutFlags(rawValue: UInt32(MDB_APPENDDUP))
    /// With dupSort: fail (return false) when this key/value pair exists.
    public static let noDupData = LMDBPutFlags(rawValue: UInt32(MDB_NODUPDATA))
}
