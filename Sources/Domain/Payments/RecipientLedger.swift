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
            receive(signed.ticket, nonces: [signed.ticket.senderNonce], creditEach: ev)
        case .paymentReceived(let received):
            receive(received.terms, nonces: received.tickets.map(\.senderNonce), creditEach: received.expectedValue)
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

    /// Accepted tickets sharing `terms`: their nonces are used and each credits the sender with `creditEach`. A nonce
    /// already used credits nothing again, so a ticket's acceptance recorded twice (an earlier run's event reaching the
    /// log after a restart accepted the ticket anew) is counted once, whichever copy comes first.
    private mutating func receive(_ terms: Ticket, nonces accepted: [UInt32], creditEach: UInt256) {
        let key = terms.recipientRandHash.hex
        var used = nonces[key] ?? []
        var fresh = 0
        for nonce in accepted {
            let (found, index) = Self.position(of: nonce, in: used)
            if !found {
                used.insert(nonce, at: index)
                fresh += 1
            }
        }
        nonces[key] = used
        guard fresh > 0 else { return }
        let credit = (try? creditEach * UInt256(UInt64(fresh))) ?? .max
        update(recipient: terms.recipient, sender: terms.sender) { account in
            account.credited = (try? account.credited + credit) ?? .max
            account.ticketsReceived += fresh
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

extension RecipientLedger {
    /// Where this ledger and `other` differ, described for a log line (at most `limit` items): accounts, nonce sets
    /// and pending winners present in one only or with other values.
    public func differences(from other: RecipientLedger, limit: Int = 5) -> [String] {
        var found: [String] = []
        for key in Set(accounts.keys).union(other.accounts.keys).sorted() where accounts[key] != other.accounts[key] {
            found.append("account \(key): \(accounts[key].map { "\($0)" } ?? "none") vs \(other.accounts[key].map { "\($0)" } ?? "none")")
        }
        for key in Set(nonces.keys).union(other.nonces.keys).sorted() where nonces[key] != other.nonces[key] {
            found.append("nonces of \(key): \(nonces[key] ?? []) vs \(other.nonces[key] ?? [])")
        }
        for key in Set(pending.keys).union(other.pending.keys).sorted() where pending[key] != other.pending[key] {
            found.append("pending winner \(key): \(pending[key] == nil ? "absent" : "present") vs \(other.pending[key] == nil ? "absent" : "present")")
        }
        return Array(found.prefix(limit))
    }
}
