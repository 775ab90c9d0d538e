import EthCrypto
import EventModel
import JSONCore
import Payments

/// The fields of a ticket event that follow from its signed ticket, recomputed and compared: an
/// edited `ev`, `credited` or party key is refused even though no signature covers it.
enum DerivedFieldChecks {
    static func check(_ envelope: EventEnvelope) throws(AuditFailure) {
        guard let event = PaymentEvent(envelope: envelope) else { return }
        switch event {
        case .ticketIssued(let signed, _, let ev, _), .ticketReceived(let signed, _, let ev):
            try expect(ev, equals: TicketLottery.expectedValue(faceValue: signed.ticket.faceValue, winProb: signed.ticket.winProb),
                       field: "ev", rule: "faceValue × winProb ÷ 2²⁵⁶ of the signed ticket")
            try checkParties(envelope, sender: signed.ticket.sender, recipient: signed.ticket.recipient)
        case .ticketWon(let signed, _, _):
            try checkParties(envelope, sender: signed.ticket.sender, recipient: signed.ticket.recipient)
        case .paymentReceived(let received):
            try expect(received.expectedValue,
                       equals: TicketLottery.expectedValue(faceValue: received.terms.faceValue, winProb: received.terms.winProb),
                       field: "ev", rule: "faceValue × winProb ÷ 2²⁵⁶ of the signed terms")
            if let stated = try? PaymentReceived(envelope: envelope), stated.credited != received.credited {
                throw AuditFailure(reason: "credited \(stated.credited) does not follow from the tickets: ev × \(received.tickets.count) is \(received.credited)")
            }
            try checkParties(envelope, sender: received.terms.sender, recipient: received.terms.recipient)
        default:
            return
        }
    }

    private static func expect(_ stated: UInt256, equals derived: UInt256, field: String, rule: String) throws(AuditFailure) {
        guard stated == derived else {
            throw AuditFailure(reason: "\(field) \(stated) does not follow from the signed ticket: \(rule) is \(derived)")
        }
    }

    /// The event's sender and orchestrator keys, when present, are the ticket's sender and recipient.
    private static func checkParties(_ envelope: EventEnvelope, sender: Address, recipient: Address) throws(AuditFailure) {
        if let key = envelope.keys.sender, (try? Address(key)) != sender {
            throw AuditFailure(reason: "key sender \(key) is not the signed ticket's sender \(sender)")
        }
        if let key = envelope.keys.orchestrator, (try? Address(key)) != recipient {
            throw AuditFailure(reason: "key orchestrator \(key) is not the signed ticket's recipient \(recipient)")
        }
    }
}
