// Bytes: moving keys and values between Swift byte collections and LMDB's MDB_val, and u64 keys.
internal import CLMDB

/// Runs `body` over the bytes of `bytes`, in place when the collection has contiguous storage.
@inline(__always)
func withBytes<Bytes: Collection<UInt8>, R>(_ bytes: Bytes, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(bytes).withUnsafeBytes(body)
}

extension MDB_val {
    /// An `MDB_val` describing `buffer` (LMDB only reads input values, so the mutable cast is sound).
    @inline(__always)
    init(_ buffer: UnsafeRawBufferPointer) {
        self.init(mv_size: buffer.count, mv_data: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
    }

    /// The bytes this value points at (inside the map: valid only while its transaction is open).
    @inline(__always)
    var buffer: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mv_data, count: mv_size)
    }
}

extension UInt64 {
    /// The eight big-endian bytes of this value: as an LMDB key, u64 values sort in numeric order.
    public var bigEndianKey: [UInt8] {
        withUnsafeBytes(of: bigEndian) { Array($0) }
    }

    /// Decodes a key made by `bigEndianKey`; nil unless `bytes` holds exactly eight bytes.
    public init?(bigEndianKey bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        self = bytes.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// Runs `body` over the eight big-endian bytes of this value without allocating.
    public func withBigEndianKey<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var big = bigEndian
        return try Swift.withUnsafeBytes(of: &big) { (raw) throws(E) -> R in try body(raw) }
    }
}
