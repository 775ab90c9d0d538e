public import EthCrypto
public import EventModel
public import JSONCore

// The tickets family's payment events, declared once each (topic `tickets`, keyed by sender and orchestrator). Each also
// writes its payload through an `EventText`, so the events of one payment reuse the text of the values they share.

/// `ticket.issued` v1: a broadcaster signed a ticket to pay for a segment.
public struct TicketIssued: TypedEvent {
    public static let type = "ticket.issued"
    public static let version = 1
    public static let topic = Topic.tickets
    public static let requiredKeys: [EventKeys.Kind] = [.sender, .orchestrator]

    public var ticket: SignedTicket
    public var ticketHash: Hash32
    public var ev: UInt256
    public var segmentSeq: UInt64?

    public init(ticket: SignedTicket, ticketHash: Hash32, ev: UInt256, segmentSeq: UInt64? = nil) {
        (self.ticket, self.ticketHash, self.ev, self.segmentSeq) = (ticket, ticketHash, ev, segmentSeq)
    }

    public var payload: JSONValue {
        var text = EventText()
        return payload(text: &text)
    }

    public func payload(text: inout EventText) -> JSONValue {
        var fields: [String: JSONValue] = ["ticket": ticket.eventJSON(text: &text), "ticketHash": .string(ticketHash.hex),
                                           "ev": .string(text.amount(ev))]
        if let segmentSeq { fields["segmentSeq"] = .integer(Int64(clamping: segmentSeq)) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        ticket = try payload.signedTicket("ticket")
        ticketHash = try payload.hash("ticketHash")
        ev = try payload.uint256("ev")
        segmentSeq = try payload.optional("segmentSeq", payload.count)
    }
}

/// `ticket.received` v1: an orchestrator accepted a valid ticket and credited its expected value.
public struct TicketReceived: TypedEvent {
    public static let type = "ticket.received"
    public static let version = 1
    public static let topic = Topic.tickets
    public static let requiredKeys: [EventKeys.Kind] = [.sender, .orchestrator]

    public var ticket: SignedTicket
    public var ticketHash: Hash32
    public var ev: UInt256

    public init(ticket: SignedTicket, ticketHash: Hash32, ev: UInt256) { (self.ticket, self.ticketHash, self.ev) = (ticket, ticketHash, ev) }

    public var payload: JSONValue {
        var text = EventText()
        return payload(text: &text)
    }

    public func payload(text: inout EventText) -> JSONValue {
        ["ticket": ticket.eventJSON(text: &text), "ticketHash": .string(ticketHash.hex), "ev": .string(text.amount(ev))]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        ticket = try payload.signedTicket("ticket")
        ticketHash = try payload.hash("ticketHash")
        ev = try payload.uint256("ev")
    }
}

/// `payment.received` v1: an orchestrator accepted the valid tickets of one payment (the shared terms once, then each
/// ticket's nonce and signature) and credited their expected value.
public struct PaymentReceived: TypedEvent {
    public static let type = "payment.received"
    public static let version = 1
    public static let topic = Topic.tickets
    public static let requiredKeys: [EventKeys.Kind] = [.sender, .orchestrator]

    public var payment: PaymentEvent.ReceivedPayment
    /// What the event says was credited; the writer states ev × tickets (`payment.credited`), an audit compares the two.
    public var credited: UInt256

    public init(payment: PaymentEvent.ReceivedPayment) { (self.payment, credited) = (payment, payment.credited) }

    public var payload: JSONValue {
        var text = EventText()
        return payload(text: &text)
    }

    public func payload(text: inout EventText) -> JSONValue {
        var terms = payment.terms.jsonFields(text: &text)
        terms.removeValue(forKey: "senderNonce")
        return [
            "terms": .object(terms),
            "tickets": .array(payment.tickets.map {
                ["senderNonce": .integer(Int64($0.senderNonce)), "sig": .string(Hex.encode($0.sig, prefix: true))]
            }),
            "ev": .string(text.amount(payment.expectedValue)), "credited": .string(credited.description),
        ]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        guard case .object(var fields) = try payload.object("terms").value else {
            throw .wrongField(event: payload.event, field: "terms", expected: "an object")
        }
        fields["senderNonce"] = .integer(0)
        let terms: Ticket
        do { terms = try Ticket(json: .object(fields)) } catch {
            throw .wrongField(event: payload.event, field: "terms", expected: "ticket terms (\(error.description))")
        }
        var tickets: [TicketSenderParams] = []
        for item in try payload.objects("tickets") {
            guard let nonce = UInt32(exactly: try item.count("senderNonce")) else {
                throw .wrongField(event: payload.event, field: "senderNonce", expected: "a 32-bit nonce")
            }
            let sig = try item.string("sig")
            do { tickets.append(TicketSenderParams(senderNonce: nonce, sig: try Hex.decode(sig))) } catch {
                throw .wrongField(event: payload.event, field: "sig", expected: "0x-hex bytes")
            }
        }
        let expectedValue = try payload.uint256("ev")
        credited = try payload.uint256("credited")
        payment = PaymentEvent.ReceivedPayment(terms: terms, tickets: tickets, expectedValue: expectedValue)
    }
}

/// `ticket.won` v1: a received ticket is a winner; it waits in the ticket book to be redeemed.
public struct TicketWon: TypedEvent {
    public static let type = "ticket.won"
    public static let version = 1
    public static let topic = Topic.tickets
    public static let requiredKeys: [EventKeys.Kind] = [.sender, .orchestrator]

    public var ticket: SignedTicket
    public var ticketHash: Hash32
    public var recipientRand: UInt256

    public init(ticket: SignedTicket, ticketHash: Hash32, recipientRand: UInt256) {
        (self.ticket, self.ticketHash, self.recipientRand) = (ticket, ticketHash, recipientRand)
    }

    public var payload: JSONValue {
        var text = EventText()
        return payload(text: &text)
    }

    public func payload(text: inout EventText) -> JSONValue {
        ["ticket": ticket.eventJSON(text: &text), "ticketHash": .string(ticketHash.hex), "recipientRand": .string(recipientRand.description)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        ticket = try payload.signedTicket("ticket")
        ticketHash = try payload.hash("ticketHash")
        recipientRand = try payload.uint256("recipientRand")
    }
}

/// `ticket.rejected` v1: an orchestrator refused a ticket, with a typed reason and as much of the ticket as it read.
public struct TicketRejected: TypedEvent {
    public static let type = "ticket.rejected"
    public static let version = 1
    public static let topic = Topic.tickets
    public static let requiredKeys: [EventKeys.Kind] = [.sender, .orchestrator]

    public var reason: TicketRejectionReason
    public var detail: String?
    public var ticketHash: Hash32?
    public var senderNonce: UInt32?

    public init(reason: TicketRejectionReason, detail: String?, ticketHash: Hash32? = nil, senderNonce: UInt32? = nil) {
        (self.reason, self.ticketHash, self.senderNonce) = (reason, ticketHash, senderNonce)
        self.detail = detail.map { String($0.prefix(1000)) }
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["reason": .string(reason.rawValue)]
        if let detail { fields["detail"] = .string(detail) }
        if let ticketHash { fields["ticketHash"] = .string(ticketHash.hex) }
        if let senderNonce { fields["senderNonce"] = .integer(Int64(senderNonce)) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        guard let reason = TicketRejectionReason(rawValue: try payload.string("reason")) else {
            throw .wrongField(event: payload.event, field: "reason", expected: "a rejection reason")
        }
        self.reason = reason
        detail = try payload.optional("detail", payload.string)
        ticketHash = try payload.optional("ticketHash", payload.hash)
        senderNonce = try payload.optional("senderNonce") { (field) throws(TypedEventError) -> UInt32 in
            guard let nonce = UInt32(exactly: try payload.count(field)) else {
                throw .wrongField(event: payload.event, field: field, expected: "a 32-bit nonce")
            }
            return nonce
        }
    }
}

/// `fee.debited` v1: an orchestrator charged a segment's pixels at the agreed price against the sender's credit.
public struct FeeDebited: TypedEvent {
    public static let type = "fee.debited"
    public static let version = 1
    public static let topic = Topic.tickets
    public static let requiredKeys: [EventKeys.Kind] = [.sender, .orchestrator]

    public var segmentSeq: UInt64
    public var pixels: UInt64
    public var price: PriceInfo
    public var fee: UInt256

    public init(segmentSeq: UInt64, pixels: UInt64, price: PriceInfo, fee: UInt256) {
        (self.segmentSeq, self.pixels, self.price, self.fee) = (segmentSeq, pixels, price, fee)
    }

    public var payload: JSONValue {
        ["segmentSeq": .integer(Int64(clamping: segmentSeq)), "pixels": .integer(Int64(clamping: pixels)),
         "pricePerUnit": .string(price.pricePerUnit.description), "pixelsPerUnit": .string(price.pixelsPerUnit.description),
         "fee": .string(fee.description)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        segmentSeq = try payload.count("segmentSeq")
        pixels = try payload.count("pixels")
        let perUnit = try payload.uint256("pricePerUnit")
        let pixelsPerUnit = try payload.uint256("pixelsPerUnit")
        do { price = try PriceInfo(pricePerUnit: perUnit, pixelsPerUnit: pixelsPerUnit) } catch {
            throw .wrongField(event: payload.event, field: "pixelsPerUnit", expected: "a positive integer")
        }
        fee = try payload.uint256("fee")
    }
}

extension PayloadReader {
    /// A signed ticket as events carry it (go-livepeer's field names and `sig`).
    func signedTicket(_ field: String) throws(TypedEventError) -> SignedTicket {
        let json = try member(field)
        do { return try SignedTicket(json: json) } catch {
            throw .wrongField(event: event, field: field, expected: "a signed ticket (\(error.description))")
        }
    }
}
