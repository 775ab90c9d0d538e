public import EthCrypto

/// The round a ticket is created in and that round's block hash; they form the ticket's auxData.
public struct TicketExpirationParams: Sendable, Hashable {
    public var creationRound: Int64
    public var creationRoundBlockHash: Hash32

    public init(creationRound: Int64, creationRoundBlockHash: Hash32) {
        self.creationRound = creationRound
        self.creationRoundBlockHash = creationRoundBlockHash
    }

    /// auxData = creationRound(32) ‖ creationRoundBlockHash(32); empty only when both are zero.
    public var auxData: [UInt8] {
        if creationRound == 0 && creationRoundBlockHash == .zero { return [] }
        return UInt256(UInt64(bitPattern: creationRound)).bigEndianBytes + creationRoundBlockHash.bytes
    }
}

/// What a recipient (orchestrator) offers a sender: the lottery's face value and win probability, the commitment
/// to its secret random number, a seed to re-derive it, and the L1 block after which the params expire.
public struct TicketParams: Sendable, Hashable {
    public var recipient: Address
    public var faceValue: UInt256
    public var winProb: UInt256
    public var recipientRandHash: Hash32
    /// 32 random bytes; with the other fields it lets the recipient re-derive recipientRand (no storage).
    public var seed: Hash32
    public var expirationBlock: UInt64
    public var expirationParams: TicketExpirationParams

    public init(recipient: Address, faceValue: UInt256, winProb: UInt256, recipientRandHash: Hash32, seed: Hash32,
                expirationBlock: UInt64, expirationParams: TicketExpirationParams) {
        self.recipient = recipient
        self.faceValue = faceValue
        self.winProb = winProb
        self.recipientRandHash = recipientRandHash
        self.seed = seed
        self.expirationBlock = expirationBlock
        self.expirationParams = expirationParams
    }

    /// The expected value of one ticket under these params, in wei (rounded down).
    public var expectedValue: UInt256 { TicketLottery.expectedValue(faceValue: faceValue, winProb: winProb) }

    /// The ticket `sender` signs with nonce `senderNonce` under these params.
    public func ticket(sender: Address, senderNonce: UInt32) -> Ticket {
        Ticket(
            recipient: recipient, sender: sender, faceValue: faceValue, winProb: winProb, senderNonce: senderNonce,
            recipientRandHash: recipientRandHash, creationRound: expirationParams.creationRound,
            creationRoundBlockHash: expirationParams.creationRoundBlockHash)
    }
}

/// One ticket's part of a payment: its nonce and the sender's 65-byte signature (kept raw so a malformed
/// signature is a typed rejection, not a parse failure).
public struct TicketSenderParams: Sendable, Hashable {
    public var senderNonce: UInt32
    public var sig: [UInt8]

    public init(senderNonce: UInt32, sig: [UInt8]) {
        self.senderNonce = senderNonce
        self.sig = sig
    }
}

/// A segment's payment: one sender and one params set, many (nonce, signature) pairs, and the price the sender
/// expects to pay (go-livepeer's net.Payment).
public struct Payment: Sendable, Hashable {
    public var sender: Address
    public var ticketParams: TicketParams
    public var senderParams: [TicketSenderParams]
    public var expectedPrice: PriceInfo

    public init(sender: Address, ticketParams: TicketParams, senderParams: [TicketSenderParams], expectedPrice: PriceInfo) {
        self.sender = sender
        self.ticketParams = ticketParams
        self.senderParams = senderParams
        self.expectedPrice = expectedPrice
    }

    /// The tickets this payment carries, each with its raw signature.
    public var tickets: [(ticket: Ticket, sig: [UInt8])] {
        senderParams.map { (ticketParams.ticket(sender: sender, senderNonce: $0.senderNonce), $0.sig) }
    }
}
