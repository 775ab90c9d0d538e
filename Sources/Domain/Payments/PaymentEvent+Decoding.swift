public import EventModel
import EthCrypto
import JSONCore

extension PaymentEvent {
    /// The payment event a stored record holds; nil for other types or a payload that does not read back
    /// (the log validated it against its schema, so that means a newer version this code does not know).
    public init?(envelope: EventEnvelope) {
        let payload = envelope.payload
        func hashField(_ field: String) -> Hash32? { payload[field]?.stringValue.flatMap { try? Hash32(hex: $0) } }
        func amount(_ field: String) -> UInt256? { payload[field]?.stringValue.flatMap { try? UInt256(decimal: $0) } }
        func address(_ key: String?) -> Address? { key.flatMap { try? Address($0) } }
        func signed() -> SignedTicket? { payload["ticket"].flatMap { try? SignedTicket(json: $0) } }
        let sender = address(envelope.keys.sender)
        let recipient = address(envelope.keys.orchestrator)
        switch envelope.type {
        case "ticket.issued":
            guard let ticket = signed(), let hash = hashField("ticketHash"), let ev = amount("ev") else { return nil }
            self = .ticketIssued(ticket, hash: hash, expectedValue: ev,
                                 segmentSeq: payload["segmentSeq"]?.integerValue.map { UInt64($0) })
        case "ticket.received":
            guard let ticket = signed(), let hash = hashField("ticketHash"), let ev = amount("ev") else { return nil }
            self = .ticketReceived(ticket, hash: hash, expectedValue: ev)
        case "payment.received":
            guard var termsJSON = payload["terms"]?.objectValue, let list = payload["tickets"]?.arrayValue,
                  let ev = amount("ev") else { return nil }
            termsJSON["senderNonce"] = .integer(0)
            guard let terms = try? Ticket(json: .object(termsJSON)) else { return nil }
            var tickets: [TicketSenderParams] = []
            for item in list {
                guard let nonce = item["senderNonce"]?.integerValue.flatMap({ UInt32(exactly: $0) }),
                      let sig = item["sig"]?.stringValue.flatMap({ try? Hex.decode($0) }) else { return nil }
                tickets.append(TicketSenderParams(senderNonce: nonce, sig: sig))
            }
            self = .paymentReceived(ReceivedPayment(terms: terms, tickets: tickets, expectedValue: ev))
        case "ticket.won":
            guard let ticket = signed(), let hash = hashField("ticketHash"), let rand = amount("recipientRand") else { return nil }
            self = .ticketWon(ticket, hash: hash, recipientRand: rand)
        case "ticket.rejected":
            guard let reason = payload["reason"]?.stringValue.flatMap(TicketRejectionReason.init(rawValue:)) else { return nil }
            self = .ticketRejected(Rejected(
                sender: sender, recipient: recipient, ticketHash: hashField("ticketHash"),
                senderNonce: payload["senderNonce"]?.integerValue.flatMap { UInt32(exactly: $0) },
                rejection: TicketRejection(reason, payload["detail"]?.stringValue ?? "")))
        case "fee.debited":
            guard let sender, let recipient, let seq = payload["segmentSeq"]?.integerValue,
                  let pixels = payload["pixels"]?.integerValue, let fee = amount("fee"),
                  let perUnit = amount("pricePerUnit"), let pixelsPerUnit = amount("pixelsPerUnit"),
                  let price = try? PriceInfo(pricePerUnit: perUnit, pixelsPerUnit: pixelsPerUnit)
            else { return nil }
            self = .feeDebited(FeeDebit(sender: sender, recipient: recipient, segmentSeq: UInt64(seq),
                                        pixels: UInt64(pixels), price: price, fee: fee))
        case TicketRedeemed.type:
            guard let sender, let recipient, let event = try? TicketRedeemed(envelope: envelope) else { return nil }
            self = .ticketRedeemed(sender: sender, recipient: recipient, hash: event.ticketHash, faceValue: event.faceValue, txHash: event.txHash)
        case TicketExpired.type:
            guard let sender, let recipient, let event = try? TicketExpired(envelope: envelope) else { return nil }
            self = .ticketExpired(sender: sender, recipient: recipient, hash: event.ticketHash, faceValue: event.faceValue,
                                  creationRound: event.creationRound)
        default:
            return nil
        }
    }
}
