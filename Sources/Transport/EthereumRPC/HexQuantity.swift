public import EthCrypto

/// Ethereum JSON-RPC's hex encodings: quantities ("0x1a", no leading zeros) and data ("0x…", whole bytes).
public enum HexQuantity {
    public static func encode(_ value: UInt256) -> String { value.hexString }
    public static func encode(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    public static func uint256(_ text: String) throws(EthereumRPCError) -> UInt256 {
        guard text.hasPrefix("0x"), text.count > 2 else { throw .malformedResponse(method: "", reason: "quantity \(text.prefix(80))") }
        do { return try UInt256(hex: text) } catch { throw .malformedResponse(method: "", reason: "quantity \(text.prefix(80))") }
    }

    public static func uint64(_ text: String) throws(EthereumRPCError) -> UInt64 {
        guard let value = try uint256(text).uint64Value else { throw .malformedResponse(method: "", reason: "quantity \(text.prefix(80)) too large") }
        return value
    }

    public static func bytes(_ text: String) throws(EthereumRPCError) -> [UInt8] {
        do { return try Hex.decode(text) } catch { throw .malformedResponse(method: "", reason: "data \(text.prefix(80))") }
    }

    public static func data(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }
}
