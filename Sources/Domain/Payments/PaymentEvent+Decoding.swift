public import EventModel
import EthCrypto

extension PaymentEvent {
    /// The payment event a stored record holds; nil for other types or a payload that does not read back
    /// (the log validated it against its schema, so that means a newer version this code does not know).
    public init?(envelope: EventEnvelope) {
        let sender = envelope.keys.sender.flatMap { try? Address($0) }
        let recipient = envelope.keys.orchestrator.flatMap { try? Address($0) }
        do {
            if let event = try TicketIssued.decoded(from: envelope) {
                self = .ticketIssued(event.ticket, hash: event.ticketHash, expectedValue: event.ev, segmentSeq: event.segmentSeq)
            } else if let event = try TicketReceived.decoded(from: envelope) {
                self = .ticketReceived(event.ticket, hash: event.ticketHash, expectedValue: event.ev)
            } else if let event = try PaymentReceived.decoded(from: envelope) {
                self = .paymentReceived(event.payment)
            } else if let event = try TicketWon.decoded(from: envelope) {
                self = .ticketWon(event.ticket, hash: event.ticketHash, recipientRand: event.recipientRand)
            } else if let event = try TicketRejected.decoded(from: envelope) {
                self = .ticketRejected(Rejected(sender: sender, recipient: recipient, ticketHash: event.ticketHash,
                                                senderNonce: event.senderNonce, rejection: TicketRejection(event.reason, event.detail ?? "")))
            } else if let event = try FeeDebited.decoded(from: envelope) {
                guard let sender, let recipient else { return nil }
                self = .feeDebited(FeeDebit(sender: sender, recipient: recipient, segmentSeq: event.segmentSeq, pixels: event.pixels,
                                            price: event.price, fee: event.fee))
            } else if let event = try TicketRedeemed.decoded(from: envelope) {
                guard let sender, let recipient else { return nil }
                self = .ticketRedeemed(sender: sender, recipient: recipient, hash: event.ticketHash, faceValue: event.faceValue,
                                       txHash: event.txHash)
            } else if let event = try TicketExpired.decoded(from: envelope) {
                guard let sender, let recipient else { return nil }
                self = .ticketExpired(sender: sender, recipient: recipient, hash: event.ticketHash, faceValue: event.faceValue,
                                      creationRound: event.creationRound)
            } else {
                return nil
            }
        } catch {
            return nil
        }
    }
}
