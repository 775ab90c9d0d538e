public import EthCrypto

/// Solidity's contract ABI encoding (head/tail with offsets) for call data, return data and log data.
public enum ABICodec {
    /// Encodes `values` as the tuple of `types` (a function's arguments or return values).
    public static func encode(_ values: [ABIValue], as types: [ABIType]) throws(ABIError) -> [UInt8] {
        try encodeTuple(values, types)
    }

    /// Decodes `data` as the tuple of `types`.
    public static func decode(_ types: [ABIType], from data: [UInt8]) throws(ABIError) -> [ABIValue] {
        try decodeTuple(types, data, base: 0)
    }

    private static func encodeTuple(_ values: [ABIValue], _ types: [ABIType]) throws(ABIError) -> [UInt8] {
        guard values.count == types.count else {
            throw .typeMismatch(expected: "\(types.count) values", got: "\(values.count)")
        }
        let headLength = types.reduce(0) { $0 + $1.headSize }
        var head: [UInt8] = []
        var tail: [UInt8] = []
        for (value, type) in zip(values, types) {
            let encoded = try encodeValue(value, type)
            if type.isDynamic {
                head += word(UInt64(headLength + tail.count))
                tail += encoded
            } else {
                head += encoded
            }
        }
        return head + tail
    }

    private static func encodeValue(_ value: ABIValue, _ type: ABIType) throws(ABIError) -> [UInt8] {
        switch (type, value) {
        case (.uint(let bits), .uint(let number)):
            guard bits == 256 || number.leadingZeroBitCount >= 256 - bits else {
                throw .invalidValue(type: type.description, reason: "\(number) does not fit")
            }
            return number.bigEndianBytes
        case (.address, .address(let address)):
            return [UInt8](repeating: 0, count: 12) + address.bytes
        case (.bool, .bool(let flag)):
            return word(flag ? 1 : 0)
        case (.fixedBytes(let count), .fixedBytes(let bytes)):
            guard bytes.count == count else { throw .invalidValue(type: type.description, reason: "\(bytes.count) bytes") }
            return bytes + [UInt8](repeating: 0, count: 32 - count)
        case (.bytes, .bytes(let bytes)):
            return word(UInt64(bytes.count)) + padded(bytes)
        case (.string, .string(let text)):
            let bytes = Array(text.utf8)
            return word(UInt64(bytes.count)) + padded(bytes)
        case (.tuple(let members), .tuple(let values)):
            return try encodeTuple(values, members)
        case (.array(let element), .array(let values)):
            return word(UInt64(values.count)) + (try encodeTuple(values, Array(repeating: element, count: values.count)))
        default:
            throw .typeMismatch(expected: type.description, got: "\(value)")
        }
    }

    private static func decodeTuple(_ types: [ABIType], _ data: [UInt8], base: Int) throws(ABIError) -> [ABIValue] {
        var values: [ABIValue] = []
        var offset = base
        for type in types {
            if type.isDynamic {
                let pointer = try readLength(data, at: offset)
                guard pointer <= data.count - base else { throw .offsetOutOfRange(pointer) }
                values.append(try decodeValue(type, data, at: base + pointer))
            } else {
                values.append(try decodeValue(type, data, at: offset))
            }
            offset += type.headSize
        }
        return values
    }

    private static func decodeValue(_ type: ABIType, _ data: [UInt8], at offset: Int) throws(ABIError) -> ABIValue {
        switch type {
        case .uint(let bits):
            let number = try readWord(data, at: offset)
            guard bits == 256 || number.leadingZeroBitCount >= 256 - bits else {
                throw .invalidValue(type: type.description, reason: "\(number) does not fit")
            }
            return .uint(number)
        case .address:
            let bytes = Array(try slice(data, at: offset, count: 32))
            guard bytes[0..<12].allSatisfy({ $0 == 0 }) else { throw .invalidValue(type: "address", reason: "dirty high bytes") }
            do { return .address(try Address(bytes: bytes[12..<32])) } catch { throw .invalidValue(type: "address", reason: "\(error)") }
        case .bool:
            let number = try readWord(data, at: offset)
            guard number <= .one else { throw .invalidValue(type: "bool", reason: "\(number)") }
            return .bool(number == .one)
        case .fixedBytes(let count):
            return .fixedBytes(Array(try slice(data, at: offset, count: 32).prefix(count)))
        case .bytes, .string:
            let length = try readLength(data, at: offset)
            let bytes = Array(try slice(data, at: offset + 32, count: length))
            if case .bytes = type { return .bytes(bytes) }
            guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidValue(type: "string", reason: "not UTF-8") }
            return .string(text)
        case .tuple(let members):
            return .tuple(try decodeTuple(members, data, base: offset))
        case .array(let element):
            let count = try readLength(data, at: offset)
            guard count <= (data.count - offset) / 32 else { throw .tooLarge(count) }
            return .array(try decodeTuple(Array(repeating: element, count: count), data, base: offset + 32))
        }
    }

    static func word(_ value: UInt64) -> [UInt8] { UInt256(value).bigEndianBytes }

    private static func padded(_ bytes: [UInt8]) -> [UInt8] {
        let remainder = bytes.count % 32
        return remainder == 0 ? bytes : bytes + [UInt8](repeating: 0, count: 32 - remainder)
    }

    private static func slice(_ data: [UInt8], at offset: Int, count: Int) throws(ABIError) -> ArraySlice<UInt8> {
        guard offset >= 0, count >= 0, offset <= data.count, count <= data.count - offset else { throw .truncated(at: offset + count) }
        return data[offset..<offset + count]
    }

    private static func readWord(_ data: [UInt8], at offset: Int) throws(ABIError) -> UInt256 {
        let bytes = try slice(data, at: offset, count: 32)
        do { return try UInt256(bigEndian: bytes) } catch { throw .truncated(at: offset) }
    }

    private static func readLength(_ data: [UInt8], at offset: Int) throws(ABIError) -> Int {
        let number = try readWord(data, at: offset)
        guard let small = number.uint64Value, small <= UInt64(data.count) else { throw .tooLarge(Int(clamping: number.uint64Value ?? .max)) }
        return Int(small)
    }
}
