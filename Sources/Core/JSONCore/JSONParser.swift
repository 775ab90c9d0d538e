/// Why JSON text was refused, and at which byte.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case unexpectedCharacter(UInt8)
        case truncated
        case trailingData
        case duplicateKey(String)
        case invalidEscape
        case invalidUnicode
        case invalidNumber
        case integerOutOfRange
        case tooDeep
    }

    public let kind: Kind
    public let offset: Int

    public var description: String {
        switch kind {
        case .unexpectedCharacter(let byte):
            let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(UnicodeScalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            return "unexpected \(shown) at byte \(offset)"
        case .truncated: return "truncated input at byte \(offset)"
        case .trailingData: return "data after the JSON value at byte \(offset)"
        case .duplicateKey(let key): return "duplicate key \"\(key)\" at byte \(offset)"
        case .invalidEscape: return "invalid escape at byte \(offset)"
        case .invalidUnicode: return "invalid UTF-8 or surrogate at byte \(offset)"
        case .invalidNumber: return "invalid number at byte \(offset)"
        case .integerOutOfRange: return "integer out of the 64-bit range at byte \(offset)"
        case .tooDeep: return "nesting deeper than \(JSONParser.maxDepth) at byte \(offset)"
        }
    }
}

/// A strict RFC 8259 parser: one value, no comments or trailing commas, duplicate keys refused,
/// strings checked as UTF-8, integers kept exact (Int64), nesting bounded.
public enum JSONParser {
    public static let maxDepth = 512

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue { try parse(Array(text.utf8)) }

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        if let result = bytes.withContiguousStorageIfAvailable({ buffer in
            Result { () throws(JSONParseError) in try parseBuffer(buffer) }
        }) {
            return try result.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONParseError) in try parseBuffer(buffer) }
    }

    private static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var reader = Reader(bytes: buffer)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.offset == buffer.count else { throw JSONParseError(kind: .trailingData, offset: reader.offset) }
        return value
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0

        mutating func skipWhitespace() {
            while offset < bytes.count {
                switch bytes[offset] {
                case 0x20, 0x09, 0x0A, 0x0D: offset += 1
                default: return
                }
            }
        }

        func fail(_ kind: JSONParseError.Kind, at position: Int? = nil) -> JSONParseError {
            JSONParseError(kind: kind, offset: position ?? offset)
        }

        mutating func expect(_ literal: StaticString, value: JSONValue) throws(JSONParseError) -> JSONValue {
            let count = literal.utf8CodeUnitCount
            guard bytes.count - offset >= count else { throw fail(.truncated, at: bytes.count) }
            for index in 0..<count where bytes[offset + index] != literal.utf8Start[index] {
                throw fail(.unexpectedCharacter(bytes[offset + index]), at: offset + index)
            }
            offset += count
            return value
        }

        mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
            guard offset < bytes.count else { throw fail(.truncated) }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", value: .bool(true))
            case UInt8(ascii: "f"): return try expect("false", value: .bool(false))
            case UInt8(ascii: "n"): return try expect("null", value: .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail(.unexpectedCharacter(bytes[offset]))
            }
        }

        mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= JSONParser.maxDepth else { throw fail(.tooDeep) }
            offset += 1
            // Room for a typical event object up front: growing a dictionary from empty rehashes it several times.
            var members: [String: JSONValue] = Dictionary(minimumCapacity: 8)
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard offset < bytes.count else { throw fail(.truncated) }
                guard bytes[offset] == UInt8(ascii: "\"") else { throw fail(.unexpectedCharacter(bytes[offset])) }
                let keyOffset = offset
                let key = try string()
                skipWhitespace()
                guard offset < bytes.count else { throw fail(.truncated) }
                guard bytes[offset] == UInt8(ascii: ":") else { throw fail(.unexpectedCharacter(bytes[offset])) }
                offset += 1
                skipWhitespace()
                let member = try value(depth: depth)
                guard members.updateValue(member, forKey: key) == nil else { throw fail(.duplicateKey(key), at: keyOffset) }
                skipWhitespace()
                guard offset < bytes.count else { throw fail(.truncated) }
                switch bytes[offset] {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "}"):
                    offset += 1
                    return .object(members)
                default: throw fail(.unexpectedCharacter(bytes[offset]))
                }
            }
        }

        mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= JSONParser.maxDepth else { throw fail(.tooDeep) }
            offset += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                guard offset < bytes.count else { throw fail(.truncated) }
                switch bytes[offset] {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "]"):
                    offset += 1
                    return .array(items)
                default: throw fail(.unexpectedCharacter(bytes[offset]))
                }
            }
        }

        mutating func number() throws(JSONParseError) -> JSONValue {
            let start = offset
            if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard offset < bytes.count else { throw fail(.truncated) }
            if bytes[offset] == UInt8(ascii: "0") {
                offset += 1
                if offset < bytes.count, isDigit(bytes[offset]) { throw fail(.invalidNumber, at: start) }
            } else if isDigit(bytes[offset]) {
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            } else {
                throw fail(.invalidNumber, at: start)
            }
            var isInteger = true
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
                isInteger = false
                offset += 1
                guard offset < bytes.count, isDigit(bytes[offset]) else { throw fail(.invalidNumber, at: start) }
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
            if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
                isInteger = false
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
                guard offset < bytes.count, isDigit(bytes[offset]) else { throw fail(.invalidNumber, at: start) }
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
            if isInteger {
                // Accumulated as a negative number so that Int64.min fits; overflow is out of range.
                let negative = bytes[start] == UInt8(ascii: "-")
                var value: Int64 = 0
                for index in (negative ? start + 1 : start)..<offset {
                    let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
                    let (next, overflowDigit) = shifted.subtractingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
                    guard !overflowShift, !overflowDigit else { throw fail(.integerOutOfRange, at: start) }
                    value = next
                }
                if negative { return .integer(value) }
                guard value != .min else { throw fail(.integerOutOfRange, at: start) }
                return .integer(-value)
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else { throw fail(.invalidNumber, at: start) }
            return .double(value)
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func string() throws(JSONParseError) -> String {
            offset += 1
            let start = offset
            // Fast path: no escapes.
            while offset < bytes.count {
                let byte = bytes[offset]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                    guard let text = String(validating: slice, as: UTF8.self) else { throw fail(.invalidUnicode, at: start) }
                    offset += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                guard byte >= 0x20 else { throw fail(.unexpectedCharacter(byte)) }
                offset += 1
            }
            var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<offset]))
            while offset < bytes.count {
                let byte = bytes[offset]
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: out, as: UTF8.self) else { throw fail(.invalidUnicode, at: start) }
                    offset += 1
                    return text
                case UInt8(ascii: "\\"):
                    offset += 1
                    guard offset < bytes.count else { throw fail(.truncated) }
                    let escape = bytes[offset]
                    offset += 1
                    switch escape {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"),
                                  bytes[offset + 1] == UInt8(ascii: "u")
                            else { throw fail(.invalidUnicode) }
                            offset += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw fail(.invalidUnicode) }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw fail(.invalidUnicode)
                        }
                        out.append(contentsOf: Array(String(Character(UnicodeScalar(scalar)!)).utf8))
                    default: throw fail(.invalidEscape, at: offset - 2)
                    }
                default:
                    guard byte >= 0x20 else { throw fail(.unexpectedCharacter(byte)) }
                    out.append(byte)
                    offset += 1
                }
            }
            throw fail(.truncated)
        }

        mutating func hex4() throws(JSONParseError) -> UInt32 {
            guard bytes.count - offset >= 4 else { throw fail(.truncated, at: bytes.count) }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[offset]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 48
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 87
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 55
                default: throw fail(.invalidEscape)
                }
                value = value << 4 | UInt32(digit)
                offset += 1
            }
            return value
        }
    }
}
