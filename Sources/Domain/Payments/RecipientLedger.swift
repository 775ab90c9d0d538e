public import EthCrypto
import JSONCore

/// The recipient side's payment state as a fold over payment events: nonces used per recipientRand, each
/// sender's credit (EV of valid tickets) and debit (segment fees), and winners pending redemption.
/// Deterministic and Codable with sorted contents, so a rebuild from the log gives byte-identical state.
public struct RecipientLedger: Sendable, Equatable, Codable {
    /// One sender's account with one recipient, in wei.
    public struct Account: Sendable, Equatable, Codable {
        public var credited: UInt256 = .zero
        public var debited: UInt256 = .zero
        public var ticketsReceived = 0
        public var segmentsCharged = 0

        /// credited − debited when that is not negative.
        public var available: UInt256 { (try? credited - debited) ?? .zero }
        /// debited − credited when the sender owes (the segment was charged before tickets covered it).
        public var owed: UInt256 { (try? debited - credited) ?? .zero }
    }

    /// A winning ticket waiting to be redeemed.
    public struct Winner: Sendable, Equatable, Codable {
        public var sender: String
        public var recipient: String
        public var faceValue: UInt256
        public var creationRound: Int64
        /// The signed ticket and rand, so the redeemer can submit it without anything else.
        public var ticket: String
    }

    /// recipientRandHash (hex) → nonces used, ascending.
    public private(set) var nonces: [String: [UInt32]] = [:]
    /// "recipient/sender" (checksummed) → account.
    public private(set) var accounts: [String: Account] = [:]
    /// Ticket hash (hex) → pending winner.
    public private(set) var pending: [String: Winner] = [:]

    public init() {}

    static func accountKey(recipient: Address, sender: Address) -> String { "\(recipient.checksummed)/\(sender.checksummed)" }

    public func account(recipient: Address, sender: Address) -> Account {
        accounts[Self.accountKey(recipient: recipient, sender: sender)] ?? Account()
    }

    /// Face value of this sender's winners that this recipient has not redeemed yet.
    public func pendingFaceValue(recipient: Address, sender: Address) -> UInt256 {
        let (r, s) = (recipient.checksummed, sender.checksummed)
        return pending.values.reduce(UInt256.zero) { total, winner in
            winner.recipient == r && winner.sender == s ? ((try? total + winner.faceValue) ?? .max) : total
        }
    }

    /// Why `nonce` may not be used under `recipientRandHash`, or nil when it may.
    public func nonceRejection(recipientRandHash: Hash32, nonce: UInt32, limit: Int) -> TicketRejection? {
        let used = nonces[recipientRandHash.hex] ?? []
        if Self.position(of: nonce, in: used).found {
            return TicketRejection(.nonceReplayed, "nonce \(nonce) was already used with this recipientRand")
        }
        if used.count >= limit {
            return TicketRejection(.tooManyNonces, "recipientRand already has \(used.count) nonces (limit \(limit))")
        }
        return nil
    }

    public mutating func apply(_ event: PaymentEvent) {
        switch event {
        case .ticketReceived(let signed, _, let ev):
            receive(signed.ticket, nonces: [signed.ticket.senderNonce], credit: ev)
        case .paymentReceived(let received):
            receive(received.terms, nonces: received.tickets.map(\.senderNonce), credit: received.credited)
        case .ticketWon(let signed, let hash, let rand):
            let ticket = signed.ticket
            let stored = SignedTicket(ticket: ticket, sig: signed.sig, recipientRand: rand)
            pending[hash.hex] = Winner(
                sender: ticket.sender.checksummed, recipient: ticket.recipient.checksummed, faceValue: ticket.faceValue,
                creationRound: ticket.creationRound, ticket: stored.json.description)
        case .feeDebited(let debit):
            update(recipient: debit.recipient, sender: debit.sender) { account in
                account.debited = (try? account.debited + debit.fee) ?? .max
                account.segmentsCharged += 1
            }
        case .ticketRedeemed(_, _, let hash, _, _), .ticketExpired(_, _, let hash, _, _):
            pending.removeValue(forKey: hash.hex)
        case .ticketIssued, .ticketRejected:
            return
        }
    }

    /// Accepted tickets sharing `terms`: their nonces are used and `credit` is the sender's.
    private mutating func receive(_ terms: Ticket, nonces accepted: [UInt32], credit: UInt256) {
        let key = terms.recipientRandHash.hex
        var used = nonces[key] ?? []
        for nonce in accepted {
            let (found, index) = Self.position(of: nonce, in: used)
            if !found { used.insert(nonce, at: index) }
        }
        nonces[key] = used
        update(recipient: terms.recipient, sender: terms.sender) { account in
            account.credited = (try? account.credited + credit) ?? .max
            account.ticketsReceived += accepted.count
        }
    }

    private mutating func update(recipient: Address, sender: Address, _ body: (inout Account) -> Void) {
        let key = Self.accountKey(recipient: recipient, sender: sender)
        var account = accounts[key] ?? Account()
        body(&account)
        accounts[key] = account
    }

    /// Binary search in an ascending array: whether `value` is there and where it goes.
    static func position(of value: UInt32, in sorted: [UInt32]) -> (found: Bool, index: Int) {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return (low < sorted.count && sorted[low] == value, low)
    }
}
