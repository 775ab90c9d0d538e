internal import CSecp256k1

/// A 65-byte Ethereum signature R ‖ S ‖ V, validated on construction: V ∈ {27, 28} and S ≤ n/2.
public struct Signature: Sendable, Hashable, CustomStringConvertible {
    /// The 65 bytes.
    public let bytes: [UInt8]

    /// n/2 for secp256k1, big-endian: signatures with a larger S are malleable and refused.
    private static let halfOrder: [UInt8] = try! Hex.decode(
        "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")

    /// Checks length, V and low S; the curve check happens at recovery.
    public init(bytes: some Collection<UInt8>) throws(EthCryptoError) {
        guard bytes.count == 65 else { throw .invalidLength(what: "signature", expected: 65, actual: bytes.count) }
        let array = Array(bytes)
        guard array[64] == 27 || array[64] == 28 else { throw .invalidRecoveryID(array[64]) }
        // S > n/2 ⇔ n/2 precedes S (both 32 bytes, big-endian).
        guard !Self.halfOrder.lexicographicallyPrecedes(array[32..<64]) else { throw .highS }
        self.bytes = array
    }

    /// Parses 0x-hex of 65 bytes.
    public init(hex: String) throws(EthCryptoError) { try self.init(bytes: Hex.decode(hex)) }

    public var v: UInt8 { bytes[64] }
    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    /// The address whose key produced this signature over `digest` (no prefix applied).
    public func recoverAddress(digest: Hash32) throws(EthCryptoError) -> Address {
        try recoverPublicKey(digest: digest).address
    }

    /// The public key (X ‖ Y, 64 bytes) that produced this signature over `digest`. Comparing keys skips the
    /// keccak an address needs, which matters when many signatures from one signer are checked.
    public func recoverPublicKey(digest: Hash32) throws(EthCryptoError) -> PublicKeyXY {
        let context = Secp256k1Context.shared.raw
        var recoverable = secp256k1_ecdsa_recoverable_signature()
        let parsed = bytes.withUnsafeBufferPointer {
            secp256k1_ecdsa_recoverable_signature_parse_compact(context, &recoverable, $0.baseAddress!, Int32(v - 27))
        }
        guard parsed == 1 else { throw .invalidSignature }
        var pubkey = secp256k1_pubkey()
        let recovered = digest.withUnsafeBytes { digestBytes in
            secp256k1_ecdsa_recover(context, &pubkey, &recoverable, digestBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard recovered == 1 else { throw .invalidSignature }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65) { out in
            var length = 65
            _ = secp256k1_ec_pubkey_serialize(context, out.baseAddress!, &length, &pubkey, sf_secp256k1_ec_uncompressed())
            return PublicKeyXY(bytes: Array(out[1..<65]))
        }
    }

    /// The signer of `message` signed the Ethereum way (prefix-hashed).
    public func recoverSigner(message: some Collection<UInt8>) throws(EthCryptoError) -> Address {
        try recoverAddress(digest: EthereumMessage.digest(message))
    }

    /// True when `message` (prefix-hashed) was signed by `signer`; false for any other signer or a bad curve point.
    public func isValid(message: some Collection<UInt8>, signer: Address) -> Bool {
        (try? recoverSigner(message: message)) == signer
    }
}

/// An uncompressed secp256k1 public key without its 0x04 tag: X ‖ Y, 64 bytes.
public struct PublicKeyXY: Sendable, Hashable {
    public let bytes: [UInt8]

    /// The Ethereum address: the last 20 bytes of keccak256(X ‖ Y).
    public var address: Address { bytes.withUnsafeBytes { Address(publicKeyXY: $0) } }
}
