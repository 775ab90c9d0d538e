/// Why a keystore file could not be opened or written; each case names what was wrong.
public enum KeystoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case unsupportedVersion(Int)
    case unsupportedCipher(String)
    case unsupportedKDF(String)
    case invalidKDFParameters(String)
    case wrongPassword
    case addressMismatch(stored: String, derived: String)
    case cryptoFailure(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed keystore JSON: \(reason)"
        case .unsupportedVersion(let version): "unsupported keystore version \(version) (only 3 is supported)"
        case .unsupportedCipher(let cipher): "unsupported keystore cipher \(cipher) (only aes-128-ctr)"
        case .unsupportedKDF(let kdf): "unsupported keystore KDF \(kdf) (scrypt or pbkdf2)"
        case .invalidKDFParameters(let reason): "invalid keystore KDF parameters: \(reason)"
        case .wrongPassword: "wrong password (keystore MAC does not match)"
        case .addressMismatch(let stored, let derived):
            "keystore address \(stored) does not match its key's address \(derived)"
        case .cryptoFailure(let operation): "OpenSSL failed in \(operation)"
        }
    }
}
