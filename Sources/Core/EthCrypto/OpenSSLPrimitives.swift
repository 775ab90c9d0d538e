internal import COpenSSL

/// The OpenSSL primitives the keystore needs: scrypt, PBKDF2-HMAC-SHA256, AES-128-CTR, HMAC-SHA256.
enum OpenSSLPrimitives {
    struct Failure: Error { let operation: String }

    /// scrypt(password, salt, N, r, p) → dkLen bytes; `maxMemory` bounds what a keystore may ask for.
    static func scrypt(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int,
                       maxMemory: UInt64) throws(Failure) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        let status = out.withUnsafeMutableBufferPointer { key in
            EVP_PBE_scrypt(password, password.count, salt, salt.count, n, r, p, maxMemory, key.baseAddress, length)
        }
        guard status == 1 else { throw Failure(operation: "scrypt") }
        return out
    }

    /// PBKDF2 with HMAC-SHA256.
    static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int32, length: Int) throws(Failure) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        let status = out.withUnsafeMutableBufferPointer { key in
            password.withUnsafeBufferPointer { pass in
                PKCS5_PBKDF2_HMAC(
                    pass.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(pass.count),
                    salt, Int32(salt.count), iterations, EVP_sha256(), Int32(length), key.baseAddress)
            }
        }
        guard status == 1 else { throw Failure(operation: "pbkdf2") }
        return out
    }

    /// AES-128 in counter mode (encryption and decryption are the same operation).
    static func aes128CTR(key: [UInt8], iv: [UInt8], input: [UInt8]) throws(Failure) -> [UInt8] {
        guard key.count == 16, iv.count == 16 else { throw Failure(operation: "aes-128-ctr key/iv size") }
        let context = try CipherContext()
        guard EVP_EncryptInit_ex(context.raw, EVP_aes_128_ctr(), nil, key, iv) == 1 else {
            throw Failure(operation: "aes-128-ctr init")
        }
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var written: Int32 = 0
        var total = 0
        let updated = out.withUnsafeMutableBufferPointer {
            EVP_EncryptUpdate(context.raw, $0.baseAddress, &written, input, Int32(input.count))
        }
        guard updated == 1 else { throw Failure(operation: "aes-128-ctr update") }
        total = Int(written)
        let finished = out.withUnsafeMutableBufferPointer {
            EVP_EncryptFinal_ex(context.raw, $0.baseAddress! + total, &written)
        }
        guard finished == 1 else { throw Failure(operation: "aes-128-ctr final") }
        total += Int(written)
        return Array(out[0..<total])
    }

    /// HMAC-SHA256(key, message).
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        _ = HMAC(EVP_sha256(), key, Int32(key.count), message, message.count, &out, &length)
        return out
    }

    /// Compares in time independent of where the bytes differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && CRYPTO_memcmp(a, b, a.count) == 0
    }
}

/// Owns one `EVP_CIPHER_CTX`, freed in `deinit` and nowhere else.
private final class CipherContext {
    let raw: OpaquePointer

    init() throws(OpenSSLPrimitives.Failure) {
        guard let context = EVP_CIPHER_CTX_new() else { throw .init(operation: "EVP_CIPHER_CTX_new") }
        raw = context
    }

    deinit { EVP_CIPHER_CTX_free(raw) }
}
