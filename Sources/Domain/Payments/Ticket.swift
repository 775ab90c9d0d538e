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

    /// keccak256(recipient ‖ sender ‖ faceValue ‖ winProb ‖ senderNonce ‖ recipientRandHash ‖ auxData),
    /// assembled in one stack buffer (this runs once per ticket on the recipient's hot path).
    public var hash: Hash32 {
        let hasAux = !(creationRound == 0 && creationRoundBlockHash == .zero)
        let length = 168 + (hasAux ? 64 : 0)
        return withUnsafeTemporaryAllocation(byteCount: 232, alignment: 8) { buffer in
            recipient.bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 20) }
            sender.bytes.withUnsafeBytes { (buffer.baseAddress! + 20).copyMemory(from: $0.baseAddress!, byteCount: 20) }
            faceValue.writeBigEndian(to: buffer, at: 40)
            winProb.writeBigEndian(to: buffer, at: 72)
            UInt256(UInt64(senderNonce)).writeBigEndian(to: buffer, at: 104)
            recipientRandHash.uint256.writeBigEndian(to: buffer, at: 136)
            if hasAux {
                UInt256(UInt64(bitPattern: creationRound)).writeBigEndian(to: buffer, at: 168)
                creationRoundBlockHash.uint256.writeBigEndian(to: buffer, at: 200)
            }
            return Keccak256.hash(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        }
    }

    /// The address that signed this ticket's hash (prefix-hashed, as the contract checks).
    public func signer(of signature: Signature) throws(EthCryptoError) -> Address {
        try signature.recoverSigner(message: hash.bytes)
    }
}
