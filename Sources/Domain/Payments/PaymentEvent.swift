public import EthCrypto

/// Every change to a sender's or recipient's payment state, as a domain value. Each maps to one event type in
/// the log (`PaymentEvent+Envelope`), and `RecipientLedger` is a fold over them, so balances, nonces and the
/// ticket book replay identically from the log.
public enum PaymentEvent: Sendable, Hashable {
    /// A sender signed a ticket (sender side).
    case ticketIssued(SignedTicket, hash: Hash32, expectedValue: UInt256, segmentSeq: UInt64?)
    /// A recipient accepted a valid ticket: its nonce is used and its EV is credited to the sender.
    case ticketReceived(SignedTicket, hash: Hash32, expectedValue: UInt256)
    /// A recipient accepted the valid tickets of one payment: each nonce is used, each EV credited. What the
    /// recipient writes (one event per payment keeps the log small: the shared terms are stored once).
    case paymentReceived(ReceivedPayment)
    /// A received ticket wins; it is pending until redeemed or expired.
    case ticketWon(SignedTicket, hash: Hash32, recipientRand: UInt256)
    /// A recipient refused a ticket; nothing else changes.
    case ticketRejected(Rejected)
    /// A segment's fee was charged against the sender's credit.
    case feeDebited(FeeDebit)
    /// A pending winner was cashed on chain.
    case ticketRedeemed(sender: Address, recipient: Address, hash: Hash32, faceValue: UInt256, txHash: Hash32)
    /// A pending winner passed its validity window.
    case ticketExpired(sender: Address, recipient: Address, hash: Hash32, faceValue: UInt256, creationRound: Int64)

    /// The accepted tickets of one payment: the terms they share and each one's nonce and signature.
    public struct ReceivedPayment: Sendable, Hashable {
        /// The shared fields; `senderNonce` is 0 here and set per ticket.
        public var terms: Ticket
        public var tickets: [TicketSenderParams]
        /// EV of each ticket (all share face value and winProb).
        public var expectedValue: UInt256

        public init(terms: Ticket, tickets: [TicketSenderParams], expectedValue: UInt256) {
            var shared = terms
            shared.senderNonce = 0
            self.terms = shared
            self.tickets = tickets
            self.expectedValue = expectedValue
        }

        /// expectedValue × the number of tickets.
        public var credited: UInt256 { (try? expectedValue * UInt256(UInt64(tickets.count))) ?? .max }

        /// Each ticket in full, with its signature.
        public var signedTickets: [SignedTicket] {
            tickets.map { entry in
                var ticket = terms
                ticket.senderNonce = entry.senderNonce
                return SignedTicket(ticket: ticket, sig: entry.sig)
            }
        }
    }

    /// What a rejection records: as much of the ticket as could be read, the typed reason and a detail.
    public struct Rejected: Sendable, Hashable {
        public var sender: Address?
        public var recipient: Address?
        public var ticketHash: Hash32?
        public var senderNonce: UInt32?
        public var rejection: TicketRejection

        public init(sender: Address?, recipient: Address?, ticketHash: Hash32?, senderNonce: UInt32?, rejection: TicketRejection) {
            self.sender = sender
            self.recipient = recipient
            self.ticketHash = ticketHash
            self.senderNonce = senderNonce
            self.rejection = rejection
        }
    }

    /// A segment's charge: pixels at a price, rounded up to whole wei.
    public struct FeeDebit: Sendable, Hashable {
        public var sender: Address
        public var recipient: Address
        public var segmentSeq: UInt64
        public var pixels: UInt64
        public var price: PriceInfo
        public var fee: UInt256

        public init(sender: Address, recipient: Address, segmentSeq: UInt64, pixels: UInt64, price: PriceInfo, fee: UInt256) {
            self.sender = sender
            self.recipient = recipient
            self.segmentSeq = segmentSeq
            self.pixels = pixels
            self.price = price
            self.fee = fee
        }
    }
}
