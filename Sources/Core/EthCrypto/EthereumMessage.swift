/// The Ethereum signed-message digest: keccak256("\u{19}Ethereum Signed Message:\n" ‖ decimal length ‖ message).
/// Livepeer signs tickets, segments and results this way (the message is often itself a 32-byte hash).
public enum EthereumMessage {
    private static let prefix32 = Array("\u{19}Ethereum Signed Message:\n32".utf8)

    /// The prefix-hashed digest of a 32-byte hash, with no allocation.
    public static func digest(hash: Hash32) -> Hash32 {
        var hasher = Keccak256()
        prefix32.withUnsafeBytes { hasher.update($0) }
        hash.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    /// The prefix-hashed digest of `message`.
    public static func digest(_ message: some Collection<UInt8>) -> Hash32 {
        var hasher = Keccak256()
        if message.count == 32 {
            // The common case (a signed hash): the prefix is a constant.
            hasher.update(prefix32)
            hasher.update(message)
            return hasher.finalize()
        }
        hasher.update(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8))
        hasher.update(message)
        return hasher.finalize()
    }
}
