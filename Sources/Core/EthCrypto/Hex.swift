/// Hex encoding and strict decoding (optional 0x prefix, even length, hex digits only).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`, with "0x" when `prefix` is true.
    public static func encode(_ bytes: some Sequence<UInt8>, prefix: Bool = true) -> String {
        // Contiguous input (arrays, buffers) takes the fast path; generic iteration across modules is slow.
        if let fast = bytes.withContiguousStorageIfAvailable({ encode(buffer: UnsafeRawBufferPointer($0), prefix: prefix) }) {
            return fast
        }
        var utf8: [UInt8] = prefix ? [UInt8(ascii: "0"), UInt8(ascii: "x")] : []
        utf8.reserveCapacity(utf8.count + bytes.underestimatedCount * 2)
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Lower-case hex of raw bytes, written straight into the string's storage.
    public static func encode(buffer: UnsafeRawBufferPointer, prefix: Bool = true) -> String {
        let length = buffer.count * 2 + (prefix ? 2 : 0)
        return String(unsafeUninitializedCapacity: length) { out in
            var index = 0
            if prefix {
                out[0] = UInt8(ascii: "0")
                out[1] = UInt8(ascii: "x")
                index = 2
            }
            digits.withUnsafeBufferPointer { table in
                for byte in buffer {
                    out[index] = table[Int(byte >> 4)]
                    out[index + 1] = table[Int(byte & 0x0F)]
                    index += 2
                }
            }
            return length
        }
    }

    /// Decodes hex text; surrounding whitespace is ignored, anything else malformed is an error.
    public static func decode(_ text: String) throws(EthCryptoError) -> [UInt8] {
        var utf8 = Array(text.utf8)
        while let last = utf8.last, last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 { utf8.removeLast() }
        var start = 0
        while start < utf8.count, utf8[start] == 0x20 || utf8[start] == 0x09 { start += 1 }
        if utf8.count - start >= 2, utf8[start] == UInt8(ascii: "0"), utf8[start + 1] | 0x20 == UInt8(ascii: "x") {
            start += 2
        }
        let count = utf8.count - start
        guard count % 2 == 0 else { throw .invalidHex("odd number of digits (\(count))") }
        var out = [UInt8]()
        out.reserveCapacity(count / 2)
        var index = start
        while index < utf8.count {
            guard let high = nibble(utf8[index]) else { throw .invalidHex("character at offset \(index) is not a hex digit") }
            guard let low = nibble(utf8[index + 1]) else {
                throw .invalidHex("character at offset \(index + 1) is not a hex digit")
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
