public import EthCrypto
public import EventModel
public import JSONCore

/// The log form of payment events: type, keys (sender, orchestrator, session) and a payload that validates
/// against `Schemas/<type>.v1.schema.json`; and back again from a stored record.
extension PaymentEvent {
    /// The typed declaration of this event's type (its type name, version, topic and keys).
    public var eventType: any TypedEvent.Type {
        switch self {
        case .ticketIssued: TicketIssued.self
        case .ticketReceived: TicketReceived.self
        case .paymentReceived: PaymentReceived.self
        case .ticketWon: TicketWon.self
        case .ticketRejected: TicketRejected.self
        case .feeDebited: FeeDebited.self
        case .ticketRedeemed: TicketRedeemed.self
        case .ticketExpired: TicketExpired.self
        }
    }

    /// The event type in the catalog.
    public var type: String { eventType.type }

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
            TicketIssued(ticket: signed, ticketHash: hash, ev: ev, segmentSeq: segmentSeq).payload(text: &text)
        case .ticketReceived(let signed, let hash, let ev):
            TicketReceived(ticket: signed, ticketHash: hash, ev: ev).payload(text: &text)
        case .paymentReceived(let received):
            PaymentReceived(payment: received).payload(text: &text)
        case .ticketWon(let signed, let hash, let rand):
            TicketWon(ticket: signed, ticketHash: hash, recipientRand: rand).payload(text: &text)
        case .ticketRejected(let rejected):
            TicketRejected(reason: rejected.rejection.reason, detail: rejected.rejection.detail, ticketHash: rejected.ticketHash,
                           senderNonce: rejected.senderNonce).payload
        case .feeDebited(let debit):
            FeeDebited(segmentSeq: debit.segmentSeq, pixels: debit.pixels, price: debit.price, fee: debit.fee).payload
        case .ticketRedeemed(_, _, let hash, let faceValue, let txHash):
            TicketRedeemed(ticketHash: hash, txHash: txHash, faceValue: faceValue).payload
        case .ticketExpired(_, _, let hash, let faceValue, let round):
            TicketExpired(ticketHash: hash, faceValue: faceValue, creationRound: round).payload
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
        let declared = eventType
        return EventEnvelope(id: id, type: declared.type, version: declared.version, topic: declared.topic, keys: keys,
                             timestamp: timestamp, payload: payload(text: &text))
    }
}

extension SignedTicket {
    /// The ticket as events carry it: no recipientRand inside (a winner's rand is its own field).
    func eventJSON(text: inout EventText) -> JSONValue { .object(jsonFields(text: &text, includeRand: false)) }
}
