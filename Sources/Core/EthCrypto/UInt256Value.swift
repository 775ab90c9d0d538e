/// An exact unsigned 256-bit integer for wei, face values and win probabilities. Arithmetic
/// operators throw `UInt256Error` on overflow, underflow and division by zero; nothing wraps.
public struct UInt256: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// Limbs from least significant (w0) to most significant (w3).
    public let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public static let zero = UInt256(limbs: (0, 0, 0, 0))
    public static let one = UInt256(limbs: (1, 0, 0, 0))
    public static let max = UInt256(limbs: (.max, .max, .max, .max))

    public init(_ value: UInt64) { self.init(limbs: (value, 0, 0, 0)) }

    /// Limbs least significant first.
    public init(limbs: (UInt64, UInt64, UInt64, UInt64)) {
        w0 = limbs.0
        w1 = limbs.1
        w2 = limbs.2
        w3 = limbs.3
    }

    init(array limbs: [UInt64]) { self.init(limbs: (limbs[0], limbs[1], limbs[2], limbs[3])) }

    var limbArray: [UInt64] { [w0, w1, w2, w3] }

    /// Up to 32 big-endian bytes; longer input is accepted only when the extra leading bytes are zero.
    public init(bigEndian bytes: some Collection<UInt8>) throws(UInt256Error) {
        let array = Array(bytes)
        let significant = array.drop { $0 == 0 }
        guard significant.count <= 32 else { throw .overflow(operation: "parse") }
        var limbs: [UInt64] = [0, 0, 0, 0]
        for (index, byte) in significant.reversed().enumerated() {
            limbs[index / 8] |= UInt64(byte) << UInt64(8 * (index % 8))
        }
        self.init(array: limbs)
    }

    /// Exactly 32 big-endian bytes.
    public var bigEndianBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for (limbIndex, limb) in [w3, w2, w1, w0].enumerated() {
            for byteIndex in 0..<8 {
                out[limbIndex * 8 + byteIndex] = UInt8(truncatingIfNeeded: limb >> UInt64(56 - 8 * byteIndex))
            }
        }
        return out
    }

    /// Writes the 32 big-endian bytes at `offset` of `buffer` (no allocation).
    public func writeBigEndian(to buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: w3.bigEndian, toByteOffset: offset, as: UInt64.self)
        buffer.storeBytes(of: w2.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
        buffer.storeBytes(of: w1.bigEndian, toByteOffset: offset + 16, as: UInt64.self)
        buffer.storeBytes(of: w0.bigEndian, toByteOffset: offset + 24, as: UInt64.self)
    }

    /// Big-endian without leading zero bytes; empty for zero (as Go's big.Int.Bytes()).
    public var minimalBigEndianBytes: [UInt8] { Array(bigEndianBytes.drop { $0 == 0 }) }

    /// Parses decimal digits only (no sign, no spaces).
    public init(decimal text: String) throws(UInt256Error) {
        guard !text.isEmpty else { throw .empty }
        var value = UInt256.zero
        for (position, character) in text.enumerated() {
            guard let digit = character.wholeNumberValue, character.isASCII else {
                throw .invalidDigit(character: character, position: position)
            }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: UInt256(10))
            let (sum, overflow2) = times10.addingReportingOverflow(UInt256(UInt64(digit)))
            guard !overflow1, !overflow2 else { throw .overflow(operation: "parse") }
            value = sum
        }
        self = value
    }

    /// Parses hex with an optional 0x/0X prefix, up to 64 digits after leading zeros.
    public init(hex text: String) throws(UInt256Error) {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty else { throw .empty }
        var limbs: [UInt64] = [0, 0, 0, 0]
        let offset = text.count - digits.count
        let trimmed = digits.drop { $0 == "0" }
        guard trimmed.count <= 64 else { throw .overflow(operation: "parse") }
        for (index, character) in digits.enumerated() {
            guard character.isASCII, character.isHexDigit else {
                throw .invalidDigit(character: character, position: offset + index)
            }
        }
        for (index, character) in trimmed.reversed().enumerated() {
            limbs[index / 16] |= UInt64(character.hexDigitValue!) << UInt64(4 * (index % 16))
        }
        self.init(array: limbs)
    }

    public var isZero: Bool { w0 | w1 | w2 | w3 == 0 }
    public var bitWidth: Int { 256 }

    public var leadingZeroBitCount: Int {
        if w3 != 0 { return w3.leadingZeroBitCount }
        if w2 != 0 { return 64 + w2.leadingZeroBitCount }
        if w1 != 0 { return 128 + w1.leadingZeroBitCount }
        return 192 + w0.leadingZeroBitCount
    }

    /// The value when it fits in 64 bits.
    public var uint64Value: UInt64? { w1 | w2 | w3 == 0 ? w0 : nil }

    /// The nearest Double (for statistics, never for money).
    public var doubleValue: Double {
        Double(w3) * 0x1p192 + Double(w2) * 0x1p128 + Double(w1) * 0x1p64 + Double(w0)
    }

    public var description: String {
        if isZero { return "0" }
        var digits: [UInt8] = []
        var value = self
        let tenToThe19: UInt64 = 10_000_000_000_000_000_000
        while !value.isZero {
            let (quotient, remainder) = value.dividedReportingRemainder(by: tenToThe19)
            value = quotient
            var chunk = remainder
            for _ in 0..<19 {
                digits.append(UInt8(chunk % 10) + 48)
                chunk /= 10
                if value.isZero && chunk == 0 { break }
            }
        }
        while digits.count > 1 && digits.last == 48 { digits.removeLast() }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// "0x" and minimal lower-case hex ("0x0" for zero).
    public var hexString: String {
        let bytes = minimalBigEndianBytes
        guard !bytes.isEmpty else { return "0x0" }
        let hex = Hex.encode(bytes, prefix: false)
        return "0x" + (hex.hasPrefix("0") ? String(hex.dropFirst()) : hex)
    }

    public static func < (lhs: UInt256, rhs: UInt256) -> Bool {
        (lhs.w3, lhs.w2, lhs.w1, lhs.w0) < (rhs.w3, rhs.w2, rhs.w1, rhs.w0)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try UInt256(decimal: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
