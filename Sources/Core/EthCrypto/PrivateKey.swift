internal import COpenSSL
internal import CSecp256k1

/// A secp256k1 private key. Its 32 secret bytes live in one heap buffer that is wiped when freed.
public struct PrivateKey: Sendable {
    private let secret: SecretBytes

    /// Takes a 32-byte secret; it must be non-zero and below the curve order.
    public init(bytes: some Collection<UInt8>) throws(EthCryptoError) {
        guard bytes.count == 32 else { throw .invalidLength(what: "private key", expected: 32, actual: bytes.count) }
        let secret = SecretBytes(bytes)
        let valid = secret.withBytes { secp256k1_ec_seckey_verify(Secp256k1Context.shared.raw, $0) }
        guard valid == 1 else { throw .invalidPrivateKey }
        self.secret = secret
    }

    /// A new key drawn from the CSPRNG.
    public static func generate() throws(EthCryptoError) -> PrivateKey {
        while true {
            var candidate = try SecureRandom.bytes(32)
            defer { SecureRandom.wipe(&candidate) }
            if let key = try? PrivateKey(bytes: candidate) { return key }
        }
    }

    /// Parses 0x-hex of 32 bytes.
    public init(hex: String) throws(EthCryptoError) {
        var bytes = try Hex.decode(hex)
        defer { SecureRandom.wipe(&bytes) }
        try self.init(bytes: bytes)
    }

    /// A copy of the secret bytes (for keystore encryption); callers should wipe it after use.
    public func exportSecret() -> [UInt8] { secret.withBytes { Array(UnsafeBufferPointer(start: $0, count: 32)) } }

    /// The uncompressed public key: 0x04 ‖ X ‖ Y (65 bytes).
    public var publicKey: [UInt8] {
        let context = Secp256k1Context.shared.raw
        var pubkey = secp256k1_pubkey()
        let created = secret.withBytes { secp256k1_ec_pubkey_create(context, &pubkey, $0) }
        precondition(created == 1, "a verified secret key always has a public key")
        var out = [UInt8](repeating: 0, count: 65)
        var length = 65
        _ = secp256k1_ec_pubkey_serialize(context, &out, &length, &pubkey, sf_secp256k1_ec_uncompressed())
        return out
    }

    /// The Ethereum address of this key.
    public var address: Address {
        publicKey.withUnsafeBytes { Address(publicKeyXY: UnsafeRawBufferPointer(rebasing: $0[1...])) }
    }

    /// Signs a 32-byte digest as is (no prefix): R ‖ S ‖ V, low-S, V in {27, 28}, RFC 6979 nonce.
    public func sign(digest: Hash32) throws(EthCryptoError) -> Signature {
        let context = Secp256k1Context.shared.raw
        var recoverable = secp256k1_ecdsa_recoverable_signature()
        let digestBytes = digest.bytes
        let status = secret.withBytes { key in
            secp256k1_ecdsa_sign_recoverable(context, &recoverable, digestBytes, key, nil, nil)
        }
        guard status == 1 else { throw .signingFailed }
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryID, &recoverable)
        compact.append(UInt8(27 + recoveryID))
        return try Signature(bytes: compact)
    }

    /// Signs `message` the Ethereum way: the digest of the "\u{19}Ethereum Signed Message:\n" prefix form.
    public func signMessage(_ message: some Collection<UInt8>) throws(EthCryptoError) -> Signature {
        try sign(digest: EthereumMessage.digest(message))
    }
}

/// Heap storage for secret bytes, wiped with OPENSSL_cleanse when the last reference goes.
private final class SecretBytes: @unchecked Sendable {
    // @unchecked: the buffer is written once in init and only read afterwards.
    private let buffer: UnsafeMutableRawBufferPointer

    init(_ bytes: some Collection<UInt8>) {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 8)
        buffer.copyBytes(from: bytes)
    }

    func withBytes<R>(_ body: (UnsafePointer<UInt8>) -> R) -> R {
        body(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    deinit {
        OPENSSL_cleanse(buffer.baseAddress, buffer.count)
        buffer.deallocate()
    }
}
