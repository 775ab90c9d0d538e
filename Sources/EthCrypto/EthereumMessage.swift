/// The Ethereum signed-message digest: keccak256("\u{19}Ethereum Signed Message:\n" ‖ decimal length ‖ message).
/// Livepeer signs tickets, segments and results this way (the message is often itself a 32-byte hash).
public enum EthereumMessage {
    /// The prefix-hashed digest of `message`.
    public static func digest(_ message: some Collection<UInt8>) -> Hash32 {
        var hasher = Keccak256()
        hasher.update(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8))
        hasher.update(message)
        return hasher.finalize()
    }
}
