public import EthCrypto

/// A Solidity ABI type, as far as Livepeer's contracts need: unsigned integers, addresses, booleans, fixed and
/// dynamic bytes, strings, tuples and dynamic arrays.
public indirect enum ABIType: Sendable, Hashable, CustomStringConvertible {
    case uint(bits: Int)
    case address
    case bool
    case fixedBytes(Int)
    case bytes
    case string
    case tuple([ABIType])
    case array(ABIType)

    public static let uint256 = ABIType.uint(bits: 256)
    public static let bytes32 = ABIType.fixedBytes(32)

    /// The canonical name used in function signatures, e.g. `(address,uint256,bytes)[]`.
    public var description: String {
        switch self {
        case .uint(let bits): "uint\(bits)"
        case .address: "address"
        case .bool: "bool"
        case .fixedBytes(let count): "bytes\(count)"
        case .bytes: "bytes"
        case .string: "string"
        case .tuple(let members): "(" + members.map(\.description).joined(separator: ",") + ")"
        case .array(let element): "\(element)[]"
        }
    }

    /// Whether values of this type are encoded in the tail (behind an offset).
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: true
        case .tuple(let members): members.contains(where: \.isDynamic)
        default: false
        }
    }

    /// Bytes a value of this type takes in the head.
    var headSize: Int {
        if isDynamic { return 32 }
        if case .tuple(let members) = self { return members.reduce(0) { $0 + $1.headSize } }
        return 32
    }
}

/// A value to encode, or a decoded one.
public indirect enum ABIValue: Sendable, Hashable {
    case uint(UInt256)
    case address(Address)
    case bool(Bool)
    /// bytes1…bytes32, right-padded on the wire.
    case fixedBytes([UInt8])
    case bytes([UInt8])
    case string(String)
    case tuple([ABIValue])
    case array([ABIValue])

    public static func uint(_ value: UInt64) -> ABIValue { .uint(UInt256(value)) }
    public static func bytes32(_ hash: Hash32) -> ABIValue { .fixedBytes(hash.bytes) }

    public var uint256: UInt256? { if case .uint(let value) = self { value } else { nil } }
    public var addressValue: Address? { if case .address(let value) = self { value } else { nil } }
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let value), .fixedBytes(let value): value
        default: nil
        }
    }
    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    public var members: [ABIValue]? {
        switch self {
        case .tuple(let value), .array(let value): value
        default: nil
        }
    }
}

/// Why ABI data could not be encoded or decoded.
public enum ABIError: Error, Sendable, Equatable, CustomStringConvertible {
    case typeMismatch(expected: String, got: String)
    case truncated(at: Int)
    case offsetOutOfRange(Int)
    case invalidValue(type: String, reason: String)
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .typeMismatch(let expected, let got): "ABI value is not a \(expected): \(got)"
        case .truncated(let at): "ABI data ends before byte \(at)"
        case .offsetOutOfRange(let offset): "ABI offset \(offset) points outside the data"
        case .invalidValue(let type, let reason): "invalid \(type): \(reason)"
        case .tooLarge(let length): "ABI length \(length) is larger than the data"
        }
    }
}
