public import EventModel
public import Payments

/// The recipient ledger (nonces per recipientRand, sender accounts, pending winners) as a projection, so an
/// orchestrator restarts with exactly the state its live `TicketRecipient` had.
public struct PaymentsLedgerProjection: Projection {
    public init() {}
    public var name: String { "payments" }
    public var initialState: RecipientLedger { RecipientLedger() }

    public func apply(_ state: inout RecipientLedger, _ event: EventRecord) {
        guard event.envelope.topic == .tickets, let payment = PaymentEvent(envelope: event.envelope) else { return }
        state.apply(payment)
    }
}
