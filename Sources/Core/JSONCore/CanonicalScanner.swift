/// Builds a `CanonicalTape`, accepting only what `CanonicalJSON` writes: no whitespace; object keys
/// unescaped and in strictly increasing byte order; integers in plain decimal within Int64 (no -0, no
/// fraction or exponent); strings of valid UTF-8 with only the escapes canonical JSON uses. Any other
/// text, valid JSON or not, fails the scan (the caller then parses it the ordinary way).
struct CanonicalScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0
    var nodes: [TapeNode] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        nodes.reserveCapacity(32)
    }

    private var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private mutating func push(_ kind: TapeNode.Kind, start: Int, integer: Int64 = 0) -> Int {
        nodes.append(TapeNode(kind: kind, start: Int32(start), end: Int32(offset), after: Int32(nodes.count + 1),
                              count: 0, integer: integer))
        return nodes.count - 1
    }

    mutating func value(depth: Int) -> Bool {
        guard let byte = current else { return false }
        let start = offset
        switch byte {
        case UInt8(ascii: "{"): return object(depth: depth + 1)
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""):
            guard let escaped = string(allowEscapes: true) else { return false }
            _ = push(escaped ? .escapedString : .string, start: start)
        case UInt8(ascii: "t"):
            guard literal("true") else { return false }
            _ = push(.trueValue, start: start)
        case UInt8(ascii: "f"):
            guard literal("false") else { return false }
            _ = push(.falseValue, start: start)
        case UInt8(ascii: "n"):
            guard literal("null") else { return false }
            _ = push(.null, start: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let number = integer() else { return false }
            _ = push(.integer, start: start, integer: number)
        default: return false
        }
        return true
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - offset >= count else { return false }
        for index in 0..<count where bytes[offset + index] != text.utf8Start[index] { return false }
        offset += count
        return true
    }

    private mutating func object(depth: Int) -> Bool {
        guard depth <= JSONParser.maxDepth else { return false }
        let index = push(.object, start: offset)
        offset += 1
        var count: Int32 = 0
        if current == UInt8(ascii: "}") {
            offset += 1
        } else {
            var previousKey: Range<Int>?
            while true {
                let keyStart = offset
                guard current == UInt8(ascii: "\""), string(allowEscapes: false) == false else { return false }
                let key = keyStart + 1..<offset - 1
                if let previousKey, !precedes(previousKey, key) { return false }
                previousKey = key
                _ = push(.string, start: keyStart)
                guard current == UInt8(ascii: ":") else { return false }
                offset += 1
                guard value(depth: depth) else { return false }
                count += 1
                guard let next = current else { return false }
                offset += 1
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { return false }
            }
        }
        close(index, count: count)
        return true
    }

    private mutating func array(depth: Int) -> Bool {
        guard depth <= JSONParser.maxDepth else { return false }
        let index = push(.array, start: offset)
        offset += 1
        var count: Int32 = 0
        if current == UInt8(ascii: "]") {
            offset += 1
        } else {
            while true {
                guard value(depth: depth) else { return false }
                count += 1
                guard let next = current else { return false }
                offset += 1
                if next == UInt8(ascii: "]") { break }
                guard next == UInt8(ascii: ",") else { return false }
            }
        }
        close(index, count: count)
        return true
    }

    /// Completes a container's node once its last child is on the tape.
    private mutating func close(_ index: Int, count: Int32) {
        nodes[index].end = Int32(offset)
        nodes[index].after = Int32(nodes.count)
        nodes[index].count = count
    }

    /// Whether key `a` sorts before key `b` in canonical order.
    private func precedes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        ByteOrder.compare(UnsafeBufferPointer(rebasing: bytes[a]), UnsafeBufferPointer(rebasing: bytes[b])) < 0
    }

    /// An integer in canonical form; nil for anything else (fractions and exponents included).
    private mutating func integer() -> Int64? {
        let negative = bytes[offset] == UInt8(ascii: "-")
        if negative { offset += 1 }
        guard let first = current, isDigit(first) else { return nil }
        var value: Int64 = 0  // accumulated negated, so that Int64.min fits
        if first == UInt8(ascii: "0") {
            offset += 1
            guard !negative else { return nil }  // "-0" is written "0"
        } else {
            while let byte = current, isDigit(byte) {
                let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
                let (next, overflowDigit) = shifted.subtractingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                guard !overflowShift, !overflowDigit else { return nil }
                value = next
                offset += 1
            }
        }
        if let byte = current, isDigit(byte) || byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e") { return nil }
        if negative { return value }
        guard value != .min else { return nil }
        return -value
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// A string in canonical form, the offset left after its closing quote; returns whether it had
    /// escapes, or nil when it is not canonical.
    private mutating func string(allowEscapes: Bool) -> Bool? {
        offset += 1
        var escaped = false
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return escaped
            }
            if byte == UInt8(ascii: "\\") {
                guard allowEscapes, canonicalEscape() else { return nil }
                escaped = true
            } else if byte < 0x20 {
                return nil
            } else if byte < 0x80 {
                offset += 1
            } else {
                guard utf8Sequence() else { return nil }
            }
        }
        return nil
    }

    /// \" \\ \b \f \n \r \t, or \u00xx in lower-case hex for the other control characters.
    private mutating func canonicalEscape() -> Bool {
        guard bytes.count - offset >= 2 else { return false }
        switch bytes[offset + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
             UInt8(ascii: "r"), UInt8(ascii: "t"):
            offset += 2
            return true
        case UInt8(ascii: "u"):
            guard bytes.count - offset >= 6, bytes[offset + 2] == UInt8(ascii: "0"), bytes[offset + 3] == UInt8(ascii: "0"),
                  let high = lowerHex(bytes[offset + 4]), high <= 1, let low = lowerHex(bytes[offset + 5])
            else { return false }
            let scalar = high << 4 | low
            // These have short escapes, which canonical JSON uses instead.
            guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(scalar) else { return false }
            offset += 6
            return true
        default: return false
        }
    }

    private func lowerHex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// One multi-byte UTF-8 scalar: no overlong forms, no surrogates, nothing above U+10FFFF.
    private mutating func utf8Sequence() -> Bool {
        let lead = bytes[offset]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // bounds of the second byte
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return false
        }
        guard bytes.count - offset >= length else { return false }
        let second = bytes[offset + 1]
        guard second >= low, second <= high else { return false }
        for index in 2..<length where bytes[offset + index] & 0xC0 != 0x80 { return false }
        offset += length
        return true
    }
}
