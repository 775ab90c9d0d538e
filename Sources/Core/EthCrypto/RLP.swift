/// Ethereum's Recursive Length Prefix encoding: byte strings and lists, as transactions are serialised.
public indirect enum RLP: Sendable, Hashable {
    case bytes([UInt8])
    case list([RLP])

    /// An unsigned integer: big-endian with no leading zeros (zero is the empty string).
    public static func uint(_ value: UInt256) -> RLP { .bytes(value.minimalBigEndianBytes) }
    public static func uint(_ value: UInt64) -> RLP { uint(UInt256(value)) }

    /// The encoding of this item.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        append(to: &out)
        return out
    }

    public func append(to out: inout [UInt8]) {
        switch self {
        case .bytes(let bytes):
            if bytes.count == 1, bytes[0] < 0x80 {
                out.append(bytes[0])
            } else {
                Self.appendLength(bytes.count, offset: 0x80, to: &out)
                out.append(contentsOf: bytes)
            }
        case .list(let items):
            var body: [UInt8] = []
            for item in items { item.append(to: &body) }
            Self.appendLength(body.count, offset: 0xC0, to: &out)
            out.append(contentsOf: body)
        }
    }

    private static func appendLength(_ length: Int, offset: UInt8, to out: inout [UInt8]) {
        if length < 56 {
            out.append(offset + UInt8(length))
        } else {
            let lengthBytes = UInt256(UInt64(length)).minimalBigEndianBytes
            out.append(offset + 55 + UInt8(lengthBytes.count))
            out.append(contentsOf: lengthBytes)
        }
    }

    /// Decodes exactly one item that spans all of `input`.
    public static func decode(_ input: some Collection<UInt8>) throws(RLPError) -> RLP {
        let bytes = Array(input)
        var index = 0
        let item = try decodeItem(bytes, at: &index, end: bytes.count)
        guard index == bytes.count else { throw .trailingBytes(bytes.count - index) }
        return item
    }

    private static func decodeItem(_ bytes: [UInt8], at index: inout Int, end: Int) throws(RLPError) -> RLP {
        guard index < end else { throw .truncated }
        let prefix = bytes[index]
        index += 1
        switch prefix {
        case 0..<0x80:
            return .bytes([prefix])
        case 0x80..<0xB8, 0xC0..<0xF8:
            let isList = prefix >= 0xC0
            let length = Int(prefix - (isList ? 0xC0 : 0x80))
            return try payload(bytes, at: &index, length: length, end: end, isList: isList)
        default:
            let isList = prefix >= 0xF8
            let lengthOfLength = Int(prefix - (isList ? 0xF7 : 0xB7))
            guard lengthOfLength <= 4, index + lengthOfLength <= end else { throw .truncated }
            guard bytes[index] != 0 else { throw .nonCanonical }
            var length = 0
            for byte in bytes[index..<index + lengthOfLength] { length = length << 8 | Int(byte) }
            index += lengthOfLength
            guard length >= 56 else { throw .nonCanonical }
            return try payload(bytes, at: &index, length: length, end: end, isList: isList)
        }
    }

    private static func payload(_ bytes: [UInt8], at index: inout Int, length: Int, end: Int, isList: Bool) throws(RLPError) -> RLP {
        guard length <= end - index else { throw .truncated }
        let payloadEnd = index + length
        if !isList {
            let value = Array(bytes[index..<payloadEnd])
            if value.count == 1, value[0] < 0x80 { throw .nonCanonical }
            index = payloadEnd
            return .bytes(value)
        }
        var items: [RLP] = []
        while index < payloadEnd { items.append(try decodeItem(bytes, at: &index, end: payloadEnd)) }
        return .list(items)
    }

    /// The byte string, or a typed error when this is a list.
    public func byteString() throws(RLPError) -> [UInt8] {
        guard case .bytes(let bytes) = self else { throw .expectedBytes }
        return bytes
    }

    /// The list's items, or a typed error when this is a byte string.
    public func items() throws(RLPError) -> [RLP] {
        guard case .list(let items) = self else { throw .expectedList }
        return items
    }

    /// A canonical unsigned integer (no leading zero, at most 32 bytes).
    public func uint256() throws(RLPError) -> UInt256 {
        let bytes = try byteString()
        guard bytes.count <= 32 else { throw .integerTooLarge }
        guard bytes.first != 0 else { throw .nonCanonical }
        do { return try UInt256(bigEndian: bytes) } catch { throw .integerTooLarge }
    }
}

/// Why RLP input was refused.
public enum RLPError: Error, Sendable, Equatable {
    case truncated
    case trailingBytes(Int)
    case nonCanonical
    case expectedBytes
    case expectedList
    case integerTooLarge
}
