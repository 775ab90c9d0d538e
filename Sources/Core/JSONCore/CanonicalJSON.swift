/// Why a value has no canonical form.
public enum CanonicalJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    case nonIntegerNumber(Double)
    public var description: String {
        switch self {
        case .nonIntegerNumber(let value): "canonical JSON carries integers only, got \(value)"
        }
    }
}

/// The project's canonical JSON bytes (docs/EVENT-LOG.md): UTF-8; no insignificant whitespace;
/// object members sorted by the byte order of their UTF-8 keys; integers in plain decimal;
/// floating-point numbers refused (exact integers only; big integers travel as decimal strings);
/// strings escape only `"` and `\` and control characters — \b \f \n \r \t by name, others as
/// \u00xx in lower-case hex — everything else, '/' and non-ASCII included, as raw UTF-8.
/// Python's `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes the same bytes.
public enum CanonicalJSON {
    public static func encode(_ value: JSONValue) throws(CanonicalJSONError) -> [UInt8] {
        var out: [UInt8] = []
        try encode(value, into: &out)
        return out
    }

    public static func encode(_ value: JSONValue, into out: inout [UInt8]) throws(CanonicalJSONError) {
        switch value {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(true): out.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false): out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .integer(let number): appendInteger(number, to: &out)
        case .double(let number): throw .nonIntegerNumber(number)
        case .string(let text): appendString(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try encode(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // The members' positions are sorted by key in a stack buffer: no array of pairs copied per object.
            try withUnsafeTemporaryAllocation(of: Dictionary<String, JSONValue>.Index.self, capacity: members.count) { order throws(CanonicalJSONError) in
                var count = 0
                for position in members.indices {
                    // Insertion sort: objects are small, and most arrive nearly in order.
                    var slot = count
                    // Keys read through `keys`: reading a member would copy (and retain) its value too.
                    while slot > 0, utf8Precedes(members.keys[position], members.keys[order[slot - 1]]) {
                        order[slot] = order[slot - 1]
                        slot -= 1
                    }
                    order[slot] = position
                    count += 1
                }
                for slot in 0..<count {
                    if slot > 0 { out.append(UInt8(ascii: ",")) }
                    let member = members[order[slot]]
                    appendString(member.key, to: &out)
                    out.append(UInt8(ascii: ":"))
                    try encode(member.value, into: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// UTF-8 byte order (what Python's sort_keys gives for these keys), compared over contiguous bytes.
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in ByteOrder.compare(x, y) < 0 } }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A decimal integer, written without an intermediate String.
    public static func appendInteger(_ number: Int64, to out: inout [UInt8]) {
        if number < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of any UInt64
        withUnsafeMutableBytes(of: &scratch) { digits in
            var index = digits.count
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: digits[index...])
        }
    }

    /// A JSON string in canonical form (quotes, and only the escapes JSON requires).
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Fast path: nothing to escape (the usual case) → one scan and one bulk copy of the
        // string's contiguous UTF-8.
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied == true {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// The canonical bytes of this value.
    public func canonicalBytes() throws(CanonicalJSONError) -> [UInt8] { try CanonicalJSON.encode(self) }
}
