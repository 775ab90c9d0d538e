public import EthCrypto

/// A Livepeer probabilistic micropayment ticket, field for field as go-livepeer and the
/// TicketBroker contract define it.
public struct Ticket: Sendable, Hashable {
    public var recipient: Address
    public var sender: Address
    public var faceValue: UInt256
    public var winProb: UInt256
    public var senderNonce: UInt32
    public var recipientRandHash: Hash32
    public var creationRound: Int64
    public var creationRoundBlockHash: Hash32

    public init(recipient: Address, sender: Address, faceValue: UInt256, winProb: UInt256, senderNonce: UInt32,
                recipientRandHash: Hash32, creationRound: Int64, creationRoundBlockHash: Hash32) {
        self.recipient = recipient
        self.sender = sender
        self.faceValue = faceValue
        self.winProb = winProb
        self.senderNonce = senderNonce
        self.recipientRandHash = recipientRandHash
        self.creationRound = creationRound
        self.creationRoundBlockHash = creationRoundBlockHash
    }

    /// auxData = creationRound(32) ‖ creationRoundBlockHash(32); empty only when both are zero.
    public var auxData: [UInt8] { expirationParams.auxData }

    /// The creation round and its block hash.
    public var expirationParams: TicketExpirationParams {
        TicketExpirationParams(creationRound: creationRound, creationRoundBlockHash: creationRoundBlockHash)
    }

    /// keccak256(recipient ‖ sender ‖ faceValue ‖ winProb ‖ senderNonce ‖ recipientRandHash ‖ auxData).
    public var hash: Hash32 {
        var hasher = Keccak256()
        hasher.update(recipient.bytes)
        hasher.update(sender.bytes)
        hasher.update(faceValue.bigEndianBytes)
        hasher.update(winProb.bigEndianBytes)
        hasher.update(UInt256(UInt64(senderNonce)).bigEndianBytes)
        hasher.update(recipientRandHash.bytes)
        hasher.update(auxData)
        return hasher.finalize()
    }

    /// The address that signed this ticket's hash (prefix-hashed, as the contract checks).
    public func signer(of signature: Signature) throws(EthCryptoError) -> Address {
        try signature.recoverSigner(message: hash.bytes)
    }
}
