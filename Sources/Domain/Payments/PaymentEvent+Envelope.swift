public import EthCrypto
public import EventModel
public import JSONCore

/// The log form of payment events: type, keys (sender, orchestrator, session) and a payload that validates
/// against `Schemas/<type>.v1.schema.json`; and back again from a stored record.
extension PaymentEvent {
    /// The event type in the catalog.
    public var type: String {
        switch self {
        case .ticketIssued: "ticket.issued"
        case .ticketReceived: "ticket.received"
        case .paymentReceived: "payment.received"
        case .ticketWon: "ticket.won"
        case .ticketRejected: "ticket.rejected"
        case .feeDebited: "fee.debited"
        case .ticketRedeemed: TicketRedeemed.type
        case .ticketExpired: TicketExpired.type
        }
    }

    /// Who paid and who was paid (either may be unknown in a rejection of an unreadable payment).
    public var parties: (sender: Address?, recipient: Address?) {
        switch self {
        case .ticketIssued(let signed, _, _, _), .ticketReceived(let signed, _, _), .ticketWon(let signed, _, _):
            (signed.ticket.sender, signed.ticket.recipient)
        case .paymentReceived(let received): (received.terms.sender, received.terms.recipient)
        case .ticketRejected(let rejected): (rejected.sender, rejected.recipient)
        case .feeDebited(let debit): (debit.sender, debit.recipient)
        case .ticketRedeemed(let sender, let recipient, _, _, _), .ticketExpired(let sender, let recipient, _, _, _):
            (sender, recipient)
        }
    }

    /// The payload, with integers as decimal strings and bytes as 0x-hex.
    public var payload: JSONValue {
        var text = EventText()
        return payload(text: &text)
    }

    /// The payload, reusing the text of values the previous events wrote.
    public func payload(text: inout EventText) -> JSONValue {
        switch self {
        case .ticketIssued(let signed, let hash, let ev, let segmentSeq):
            var object: [String: JSONValue] = ["ticket": signed.eventJSON(text: &text), "ticketHash": .string(hash.hex), "ev": .string(text.amount(ev))]
            if let segmentSeq { object["segmentSeq"] = .integer(Int64(clamping: segmentSeq)) }
            return .object(object)
        case .ticketReceived(let signed, let hash, let ev):
            return ["ticket": signed.eventJSON(text: &text), "ticketHash": .string(hash.hex), "ev": .string(text.amount(ev))]
        case .paymentReceived(let received):
            var terms = received.terms.jsonFields(text: &text)
            terms.removeValue(forKey: "senderNonce")
            return [
                "terms": .object(terms),
                "tickets": .array(received.tickets.map {
                    ["senderNonce": .integer(Int64($0.senderNonce)), "sig": .string(Hex.encode($0.sig, prefix: true))]
                }),
                "ev": .string(text.amount(received.expectedValue)), "credited": .string(received.credited.description),
            ]
        case .ticketWon(let signed, let hash, let rand):
            return ["ticket": signed.eventJSON(text: &text), "ticketHash": .string(hash.hex), "recipientRand": .string(rand.description)]
        case .ticketRejected(let rejected):
            var object: [String: JSONValue] = [
                "reason": .string(rejected.rejection.reason.rawValue),
                "detail": .string(String(rejected.rejection.detail.prefix(1000))),
            ]
            if let hash = rejected.ticketHash { object["ticketHash"] = .string(hash.hex) }
            if let nonce = rejected.senderNonce { object["senderNonce"] = .integer(Int64(nonce)) }
            return .object(object)
        case .feeDebited(let debit):
            return [
                "segmentSeq": .integer(Int64(clamping: debit.segmentSeq)), "pixels": .integer(Int64(clamping: debit.pixels)),
                "pricePerUnit": .string(debit.price.pricePerUnit.description),
                "pixelsPerUnit": .string(debit.price.pixelsPerUnit.description), "fee": .string(debit.fee.description),
            ]
        case .ticketRedeemed(_, _, let hash, let faceValue, let txHash):
            return TicketRedeemed(ticketHash: hash, txHash: txHash, faceValue: faceValue).payload
        case .ticketExpired(_, _, let hash, let faceValue, let round):
            return TicketExpired(ticketHash: hash, faceValue: faceValue, creationRound: round).payload
        }
    }

    /// The sender key of an unreadable payment's rejection.
    public static let unknownParty = "unknown"

    /// The event as the log takes it; `id` is the caller's idempotency key.
    public func envelope(id: String, timestamp: Int64, session: String? = nil, stream: String? = nil) -> EventEnvelope {
        var text = EventText()
        return envelope(id: id, timestamp: timestamp, session: session, stream: stream, text: &text)
    }

    /// The envelope, reusing the text of values the previous events wrote (one payment's events share most).
    public func envelope(id: String, timestamp: Int64, session: String? = nil, stream: String? = nil,
                         text: inout EventText) -> EventEnvelope {
        let (sender, recipient) = parties
        let keys = EventKeys(
            stream: stream, session: session, orchestrator: recipient.map { text.address($0) } ?? Self.unknownParty,
            sender: sender.map { text.address($0) } ?? Self.unknownParty)
        return EventEnvelope(id: id, type: type, version: 1, topic: .tickets, keys: keys, timestamp: timestamp,
                             payload: payload(text: &text))
    }
}

extension SignedTicket {
    /// The ticket as events carry it: no recipientRand inside (a winner's rand is its own field).
    func eventJSON(text: inout EventText) -> JSONValue { .object(jsonFields(text: &text, includeRand: false)) }
}
