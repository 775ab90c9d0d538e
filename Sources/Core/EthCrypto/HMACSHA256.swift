/// HMAC-SHA256 (OpenSSL): the recipient derives each ticket's recipientRand with it, and auth tokens use it.
public enum HMACSHA256 {
    /// The 32-byte tag of `message` under `key`.
    public static func authenticate(key: [UInt8], message: [UInt8]) -> Hash32 {
        // A 32-byte output always makes a Hash32.
        try! Hash32(bytes: OpenSSLPrimitives.hmacSHA256(key: key, message: message))
    }
}
