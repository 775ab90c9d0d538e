internal import Foundation

/// Ethereum keystore v3 (Web3 Secret Storage): a private key encrypted with AES-128-CTR under a
/// scrypt or PBKDF2 key, authenticated by keccak256(derivedKey[16..<32] ‖ ciphertext).
/// Files written here open in geth and eth-account, and files they write open here.
public enum Keystore {
    /// Key derivation settings for new keystores.
    public enum KDF: Sendable, Equatable {
        case scrypt(n: UInt64, r: UInt64, p: UInt64)
        case pbkdf2(iterations: Int)

        /// geth's and eth-account's default: scrypt N=2^18, r=8, p=1 (256 MiB, about a second).
        public static let standard = KDF.scrypt(n: 262_144, r: 8, p: 1)
        /// geth's "light" setting: scrypt N=4096, r=8, p=6 (fast; for tests and throwaway keys).
        public static let light = KDF.scrypt(n: 4096, r: 8, p: 6)
    }

    /// The most memory a keystore's scrypt parameters may demand before it is refused.
    static let maxScryptMemory: UInt64 = 2 << 30

    /// Encrypts `key` under `password` and returns the keystore JSON.
    public static func encrypt(_ key: PrivateKey, password: String, kdf: KDF = .standard) throws(KeystoreError) -> String {
        let salt: [UInt8], iv: [UInt8], uuid: [UInt8]
        do {
            salt = try SecureRandom.bytes(32)
            iv = try SecureRandom.bytes(16)
            uuid = try SecureRandom.bytes(16)
        } catch { throw .cryptoFailure("random bytes") }
        let params: KeystoreFile.KDFParams
        let kdfName: String
        switch kdf {
        case .scrypt(let n, let r, let p):
            kdfName = "scrypt"
            params = .init(dklen: 32, salt: Hex.encode(salt, prefix: false), n: n, r: r, p: p)
        case .pbkdf2(let iterations):
            kdfName = "pbkdf2"
            params = .init(dklen: 32, salt: Hex.encode(salt, prefix: false), c: iterations, prf: "hmac-sha256")
        }
        var derived = try deriveKey(password: password, kdf: kdfName, params: params)
        defer { SecureRandom.wipe(&derived) }
        var secret = key.exportSecret()
        defer { SecureRandom.wipe(&secret) }
        let ciphertext = try aes(key: Array(derived[0..<16]), iv: iv, input: secret)
        let mac = Keccak256.hash(derived[16..<32] + ciphertext)
        let file = KeystoreFile(
            address: Hex.encode(key.address.bytes, prefix: false),
            crypto: .init(
                cipher: "aes-128-ctr", cipherparams: .init(iv: Hex.encode(iv, prefix: false)),
                ciphertext: Hex.encode(ciphertext, prefix: false), kdf: kdfName, kdfparams: params,
                mac: Hex.encode(mac.bytes, prefix: false)),
            id: uuidString(uuid), version: 3)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(file) else { throw .cryptoFailure("JSON encoding") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decrypts a keystore JSON with `password`, checking the MAC and the stored address.
    public static func decrypt(json: String, password: String) throws(KeystoreError) -> PrivateKey {
        let file = try parse(json)
        let crypto = file.crypto
        guard crypto.cipher.lowercased() == "aes-128-ctr" else { throw .unsupportedCipher(crypto.cipher) }
        let iv = try bytes(crypto.cipherparams.iv, field: "cipherparams.iv", count: 16)
        let ciphertext = try bytes(crypto.ciphertext, field: "ciphertext", count: 32)
        let mac = try bytes(crypto.mac, field: "mac", count: 32)
        var derived = try deriveKey(password: password, kdf: crypto.kdf.lowercased(), params: crypto.kdfparams)
        defer { SecureRandom.wipe(&derived) }
        let expected = Keccak256.hash(derived[16..<32] + ciphertext).bytes
        guard OpenSSLPrimitives.constantTimeEqual(expected, mac) else { throw .wrongPassword }
        var secret = try aes(key: Array(derived[0..<16]), iv: iv, input: ciphertext)
        defer { SecureRandom.wipe(&secret) }
        let key: PrivateKey
        do { key = try PrivateKey(bytes: secret) } catch { throw .malformed("the decrypted key is not a valid secp256k1 key") }
        if let stored = try storedAddress(of: file), stored != key.address {
            throw .addressMismatch(stored: stored.checksummed, derived: key.address.checksummed)
        }
        return key
    }

    /// The address a keystore declares (no password needed), or nil when it has none.
    public static func storedAddress(json: String) throws(KeystoreError) -> Address? {
        try storedAddress(of: parse(json))
    }

    private static func storedAddress(of file: KeystoreFile) throws(KeystoreError) -> Address? {
        guard let text = file.address, !text.isEmpty else { return nil }
        do { return try Address(text.hasPrefix("0x") ? text : "0x" + text) } catch {
            throw .malformed("address: \(error.description)")
        }
    }

    private static func parse(_ json: String) throws(KeystoreError) -> KeystoreFile {
        let file: KeystoreFile
        do { file = try JSONDecoder().decode(KeystoreFile.self, from: Data(json.utf8)) } catch {
            throw .malformed(describe(error))
        }
        guard file.version == 3 else { throw .unsupportedVersion(file.version) }
        return file
    }

    /// Runs the KDF named in the file, after bounding its parameters.
    private static func deriveKey(password: String, kdf: String, params: KeystoreFile.KDFParams) throws(KeystoreError) -> [UInt8] {
        guard params.dklen == 32 else { throw .invalidKDFParameters("dklen must be 32, got \(params.dklen)") }
        let salt = try bytes(params.salt, field: "kdfparams.salt", count: nil)
        guard !salt.isEmpty else { throw .invalidKDFParameters("empty salt") }
        var passwordBytes = Array(password.utf8)
        defer { SecureRandom.wipe(&passwordBytes) }
        switch kdf {
        case "scrypt":
            guard let n = params.n, let r = params.r, let p = params.p else {
                throw .invalidKDFParameters("scrypt needs n, r and p")
            }
            guard n > 1, n & (n - 1) == 0 else { throw .invalidKDFParameters("scrypt n must be a power of two > 1, got \(n)") }
            guard r > 0, p > 0, r <= 1 << 16, p <= 1 << 16 else { throw .invalidKDFParameters("scrypt r and p must be in 1...65536") }
            let (product, overflow) = (128 * r).multipliedReportingOverflow(by: n &+ p &+ 2)
            guard !overflow, product <= maxScryptMemory else {
                throw .invalidKDFParameters("scrypt n=\(n) r=\(r) p=\(p) needs more than \(maxScryptMemory >> 20) MiB")
            }
            do {
                return try OpenSSLPrimitives.scrypt(
                    password: passwordBytes, salt: salt, n: n, r: r, p: p, length: 32, maxMemory: product + (1 << 20))
            } catch { throw .cryptoFailure(error.operation) }
        case "pbkdf2":
            guard params.prf?.lowercased() == "hmac-sha256" else {
                throw .invalidKDFParameters("pbkdf2 prf must be hmac-sha256, got \(params.prf ?? "none")")
            }
            guard let c = params.c, c > 0, c <= 100_000_000 else { throw .invalidKDFParameters("pbkdf2 c must be in 1...1e8") }
            do { return try OpenSSLPrimitives.pbkdf2SHA256(password: passwordBytes, salt: salt, iterations: Int32(c), length: 32) }
            catch { throw .cryptoFailure(error.operation) }
        default:
            throw .unsupportedKDF(kdf)
        }
    }

    private static func aes(key: [UInt8], iv: [UInt8], input: [UInt8]) throws(KeystoreError) -> [UInt8] {
        do { return try OpenSSLPrimitives.aes128CTR(key: key, iv: iv, input: input) } catch {
            throw .cryptoFailure(error.operation)
        }
    }

    private static func bytes(_ hex: String, field: String, count: Int?) throws(KeystoreError) -> [UInt8] {
        let decoded: [UInt8]
        do { decoded = try Hex.decode(hex) } catch { throw .malformed("\(field): \(error.description)") }
        if let count, decoded.count != count {
            throw .malformed("\(field) must be \(count) bytes, got \(decoded.count)")
        }
        return decoded
    }

    /// A random (version 4) UUID in its canonical text form.
    private static func uuidString(_ random: [UInt8]) -> String {
        var bytes = random
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Hex.encode(bytes, prefix: false)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            "missing field \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty ? "not valid JSON" : "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "\(error)"
        }
    }
}
