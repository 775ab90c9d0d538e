import CKeccak

/// Keccak-256 as Ethereum uses it (the original Keccak padding 0x01…0x80, not SHA3-256's 0x06).
/// `Keccak256.hash(bytes)` for one shot; a `Keccak256` value absorbs input incrementally. The
/// permutation is CKeccak's (C: the compiler keeps the 25 lanes in registers better than Swift did).
public struct Keccak256: Sendable {
    /// Bytes absorbed per permutation: 1600 − 2·256 bits.
    static let rate = 136
    private static let rateLanes = rate / 8

    var state = Lanes()
    var pending = Lanes()  // partial block, only the first `rate` bytes are used
    var pendingCount = 0

    public init() {}

    /// Hashes `bytes` in one call.
    public static func hash(_ bytes: some Sequence<UInt8>) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes the bytes of a raw buffer in one call.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(buffer)
        return hasher.finalize()
    }

    /// Absorbs more input.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Absorbs the bytes of a raw buffer.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard var base = buffer.baseAddress else { return }
        var remaining = buffer.count
        if pendingCount > 0 {
            let take = min(remaining, Self.rate - pendingCount)
            withUnsafeMutableBytes(of: &pending) { pendingBytes in
                pendingBytes.baseAddress!.advanced(by: pendingCount).copyMemory(from: base, byteCount: take)
            }
            pendingCount += take
            base += take
            remaining -= take
            guard pendingCount == Self.rate else { return }
            let block = pending
            withUnsafeBytes(of: block) { absorbBlock($0.baseAddress!) }
            pendingCount = 0
        }
        while remaining >= Self.rate {
            absorbBlock(base)
            base += Self.rate
            remaining -= Self.rate
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { pendingBytes in
                pendingBytes.baseAddress!.copyMemory(from: base, byteCount: remaining)
            }
            pendingCount = remaining
        }
    }

    /// Pads, permutes and returns the 32-byte digest.
    public consuming func finalize() -> Hash32 {
        var block = Lanes()
        withUnsafeMutableBytes(of: &block) { blockBytes in
            withUnsafeBytes(of: pending) { pendingBytes in
                blockBytes.baseAddress!.copyMemory(from: pendingBytes.baseAddress!, byteCount: pendingCount)
            }
            blockBytes[pendingCount] ^= 0x01
            blockBytes[Self.rate - 1] ^= 0x80
        }
        withUnsafeBytes(of: block) { absorbBlock($0.baseAddress!) }
        // Digest byte i is byte i of the little-endian lanes; Hash32 words read big-endian.
        return withUnsafeBytes(of: state) { lanes in
            Hash32(
                w0: lanes.load(fromByteOffset: 0, as: UInt64.self).byteSwapped,
                w1: lanes.load(fromByteOffset: 8, as: UInt64.self).byteSwapped,
                w2: lanes.load(fromByteOffset: 16, as: UInt64.self).byteSwapped,
                w3: lanes.load(fromByteOffset: 24, as: UInt64.self).byteSwapped)
        }
    }

    /// XORs one `rate`-byte block into the state (lanes are little-endian) and permutes.
    private mutating func absorbBlock(_ block: UnsafeRawPointer) {
        withUnsafeMutablePointer(to: &state) { tuple in
            tuple.withMemoryRebound(to: UInt64.self, capacity: 25) { lanes in
                for index in 0..<Self.rateLanes {
                    lanes[index] ^= UInt64(littleEndian: block.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                }
                sf_keccak_f1600(lanes)
            }
        }
    }
}

/// 25 lanes of 64 bits, inline (no heap allocation).
struct Lanes {
    var storage: (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64
    ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}
