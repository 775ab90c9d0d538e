/// A 20-byte Ethereum address; `description` is its EIP-55 checksummed form.
public struct Address: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The 20 bytes.
    public let bytes: [UInt8]

    public static let zero = Address(uncheckedBytes: [UInt8](repeating: 0, count: 20))

    /// Takes exactly 20 bytes.
    public init(bytes: some Collection<UInt8>) throws(EthCryptoError) {
        guard bytes.count == 20 else { throw .invalidLength(what: "address", expected: 20, actual: bytes.count) }
        self.bytes = Array(bytes)
    }

    private init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }

    /// Parses 0x-hex. All-lower or all-upper case is accepted as is; mixed case must match EIP-55.
    public init(_ text: String) throws(EthCryptoError) {
        let decoded: [UInt8]
        do { decoded = try Hex.decode(text) } catch { throw .invalidAddress("\(text) is not hex") }
        try self.init(bytes: decoded)
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        let letters = digits.filter(\.isLetter)
        let mixed = letters.contains(where: \.isLowercase) && letters.contains(where: \.isUppercase)
        if mixed, digits != String(checksummed.dropFirst(2)) { throw .badChecksum(text) }
    }

    /// The address of an uncompressed public key: the last 20 bytes of keccak256(X ‖ Y).
    init(publicKeyXY: UnsafeRawBufferPointer) {
        let digest = Keccak256.hash(publicKeyXY).bytes
        self.bytes = Array(digest[12..<32])
    }

    /// EIP-55: hex digit i is upper case when nibble i of keccak256(lower-case hex) is ≥ 8.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes, prefix: false).utf8)
        let hash = Keccak256.hash(lower).bytes
        var out: [UInt8] = [UInt8(ascii: "0"), UInt8(ascii: "x")]
        for (index, character) in lower.enumerated() {
            let nibble = index % 2 == 0 ? hash[index / 2] >> 4 : hash[index / 2] & 0x0F
            let isLetter = character >= UInt8(ascii: "a")
            out.append(isLetter && nibble >= 8 ? character - 32 : character)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { checksummed }
    /// Lower-case 0x-hex, as go-livepeer writes addresses in JSON.
    public var lowercased: String { Hex.encode(bytes) }

    public static func < (lhs: Address, rhs: Address) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(checksummed)
    }
}
