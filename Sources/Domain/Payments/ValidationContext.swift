public import EthCrypto

/// What the recipient knows of the chain when it checks a payment: the L1 block, the round and its block
/// hashes, and the gas price a redemption would pay now. Injected, so validation stays deterministic.
public struct ValidationContext: Sendable, Hashable {
    public var currentBlock: UInt64
    public var currentRound: Int64
    /// Block hash of each round the recipient knows (at least the rounds a ticket may still be created in).
    public var roundBlockHashes: [Int64: Hash32]
    public var gasPrice: UInt256

    public init(currentBlock: UInt64, currentRound: Int64, roundBlockHashes: [Int64: Hash32], gasPrice: UInt256) {
        self.currentBlock = currentBlock
        self.currentRound = currentRound
        self.roundBlockHashes = roundBlockHashes
        self.gasPrice = gasPrice
    }
}
