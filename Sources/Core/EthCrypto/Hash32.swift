/// A 32-byte value: a keccak256 digest, a block hash, a recipientRand hash.
/// Stored as four big-endian 64-bit words, so it is compared and hashed without allocation.
public struct Hash32: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Bytes 0–7, 8–15, 16–23 and 24–31, each read big-endian.
    public let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public static let zero = Hash32(w0: 0, w1: 0, w2: 0, w3: 0)

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Takes exactly 32 bytes.
    public init(bytes: some Collection<UInt8>) throws(EthCryptoError) {
        guard bytes.count == 32 else { throw .invalidLength(what: "32-byte hash", expected: 32, actual: bytes.count) }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var index = 0
        for byte in bytes {
            let shift = UInt64(56 - 8 * (index % 8))
            switch index / 8 {
            case 0: words.0 |= UInt64(byte) << shift
            case 1: words.1 |= UInt64(byte) << shift
            case 2: words.2 |= UInt64(byte) << shift
            default: words.3 |= UInt64(byte) << shift
            }
            index += 1
        }
        self.init(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// Reads exactly 32 bytes from raw memory (the fast path for stored records).
    public init(unsafeBytes buffer: UnsafeRawBufferPointer) throws(EthCryptoError) {
        guard buffer.count == 32 else { throw .invalidLength(what: "32-byte hash", expected: 32, actual: buffer.count) }
        self.init(
            w0: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            w1: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            w2: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            w3: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    /// Calls `body` with the 32 bytes in order, without allocating.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return try Swift.withUnsafeBytes(of: words) { try body($0) }
    }

    /// Parses 64 hex digits, with or without a 0x prefix.
    public init(hex: String) throws(EthCryptoError) {
        try self.init(bytes: Hex.decode(hex))
    }

    /// The 32 bytes in order.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lower-case hex with a 0x prefix.
    public var hex: String { withUnsafeBytes { Hex.encode(buffer: $0, prefix: true) } }
    public var description: String { hex }

    /// Compares as 256-bit big-endian unsigned integers.
    public static func < (lhs: Hash32, rhs: Hash32) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}

extension Hash32 {
    /// The digest read as a big-endian unsigned 256-bit integer (as the contracts do).
    public var uint256: UInt256 { UInt256(limbs: (w3, w2, w1, w0)) }
}

extension Hash32: Codable {
    /// Lower-case 0x-hex, as everywhere else in Streamflow's JSON.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try Hash32(hex: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
