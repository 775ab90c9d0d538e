/// Why a cryptographic input or operation was refused; every case reads as one clear sentence.
public enum EthCryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidHex(String)
    case invalidLength(what: String, expected: Int, actual: Int)
    case invalidRecoveryID(UInt8)
    case highS
    case invalidSignature
    case invalidPrivateKey
    case invalidAddress(String)
    case badChecksum(String)
    case randomnessUnavailable
    case signingFailed
    case malformedTransaction(String)

    public var description: String {
        switch self {
        case .invalidHex(let reason): "invalid hex: \(reason)"
        case .invalidLength(let what, let expected, let actual): "\(what) must be \(expected) bytes, got \(actual)"
        case .invalidRecoveryID(let v): "signature V must be 27 or 28, got \(v)"
        case .highS: "signature S is above n/2 (high-S signatures are rejected)"
        case .invalidSignature: "signature does not recover to a public key"
        case .invalidPrivateKey: "private key is zero or not below the curve order"
        case .invalidAddress(let reason): "invalid address: \(reason)"
        case .badChecksum(let text): "address \(text) has mixed case that fails its EIP-55 checksum"
        case .randomnessUnavailable: "the system random number generator failed"
        case .signingFailed: "secp256k1 signing failed"
        case .malformedTransaction(let reason): "malformed transaction: \(reason)"
        }
    }
}
