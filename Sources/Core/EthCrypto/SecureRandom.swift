internal import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's CSPRNG (RAND_bytes).
public enum SecureRandom {
    /// `count` random bytes; throws if the generator is not seeded or fails.
    public static func bytes(_ count: Int) throws(EthCryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        let status = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard status == 1 else { throw .randomnessUnavailable }
        return out
    }

    /// Overwrites secret bytes in place in a way the optimizer cannot drop (OPENSSL_cleanse).
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
        }
    }
}
