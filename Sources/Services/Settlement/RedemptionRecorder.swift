public import EthCrypto
public import EventLog
public import EventModel
import JSONCore
import Payments
public import Projections

/// What every redeemer (the embedded chain's and Ethereum's) shares: its pending winners as its store has folded the
/// log, the settlement events it writes (ids derived from tickets and transactions, so a retry after a
/// crash appends nothing twice), and the durable write that waits until the host has applied them.
public struct RedemptionRecorder: Sendable {
    public let store: any RedemptionStore
    public let sink: any EventSink
    public let orchestrator: Address
    public let clock: any EventClock
    /// Hears every batch of events once it is durable (the node feeds redemptions and expiries to its live recipient).
    public let onRecorded: @Sendable ([EventEnvelope]) -> Void

    /// `store` must fold the `payments` projection over the log `sink` ends in (the node's projection host does).
    public init(store: any RedemptionStore, sink: any EventSink, orchestrator: Address, clock: any EventClock,
                onRecorded: @escaping @Sendable ([EventEnvelope]) -> Void = { _ in }) throws {
        _ = try store.paymentsLedger()
        self.store = store
        self.sink = sink
        self.orchestrator = orchestrator
        self.clock = clock
        self.onRecorded = onRecorded
    }

    /// This orchestrator's winners not yet redeemed or expired, as the store has applied the log.
    public func pending() throws -> [PendingWinner] {
        let ledger = try store.paymentsLedger()
        let me = orchestrator.checksummed
        return ledger.pending.values.filter { $0.recipient == me }.compactMap { winner in
            (try? JSONParser.parse(winner.ticket)).flatMap { try? SignedTicket(json: $0) }.map(PendingWinner.init)
        }.sorted { $0.hash < $1.hash }
    }

    /// Waits until the store has applied everything in the log now (a restarted host may still be folding it).
    public func caughtUp() async throws {
        try await store.caughtUp()
    }

    /// Persists `envelopes` through the sink (durable on return), then waits until the store has applied each of
    /// them (in distributed mode the log lags the topics), so what follows reads them.
    public func record(_ envelopes: [EventEnvelope]) async throws {
        guard !envelopes.isEmpty else { return }
        try await sink.persist(envelopes)
        onRecorded(envelopes)
        for envelope in envelopes { try await store.waitUntilApplied(eventID: envelope.id) }
    }

    /// `ticket.expired`: a winner that will never be paid, with why.
    public func expiredEnvelope(_ winner: PendingWinner, reason: String) -> EventEnvelope {
        TicketExpired(ticketHash: winner.hash, faceValue: winner.ticket.faceValue, creationRound: winner.ticket.creationRound, reason: reason)
            .envelope(id: "expired/\(winner.hash.hex)", keys: keys(for: winner), timestamp: clock.nowMilliseconds())
    }

    /// `ticket.redeemed`: a winner paid by transaction `transaction`.
    public func redeemedEnvelope(_ winner: PendingWinner, transaction: Hash32, faceValue: UInt256, fromDeposit: UInt256? = nil,
                                 fromReserve: UInt256? = nil) -> EventEnvelope {
        TicketRedeemed(ticketHash: winner.hash, txHash: transaction, faceValue: faceValue, paidFromDeposit: fromDeposit, paidFromReserve: fromReserve)
            .envelope(id: "redeemed/\(winner.hash.hex)", keys: keys(for: winner), timestamp: clock.nowMilliseconds())
    }

    /// `redemption.submitted`: a batch about to be sent as transaction `transaction` (recorded before the chain sees it).
    public func submittedEnvelope(transaction: Hash32, tickets: [Hash32], gasPrice: UInt256, gasLimit: UInt64, faceValue: UInt256) -> EventEnvelope {
        envelope(RedemptionSubmitted(txHash: transaction, tickets: tickets, gasPrice: gasPrice, gasLimit: gasLimit, faceValue: faceValue),
                 id: "redeem/\(transaction.hex)/submitted")
    }

    /// `redemption.failed`: a transaction that will never pay (not sent, dropped, replaced).
    public func failedEnvelope(transaction: Hash32, reason: String) -> EventEnvelope {
        envelope(RedemptionFailed(txHash: transaction, reason: reason), id: "redeem/\(transaction.hex)/failed")
    }

    /// The envelope of a typed settlement event of this orchestrator, stamped now.
    public func envelope<Event: TypedEvent>(_ event: Event, id: String) -> EventEnvelope {
        event.envelope(id: id, keys: EventKeys(orchestrator: orchestrator.checksummed), timestamp: clock.nowMilliseconds())
    }

    public func keys(for winner: PendingWinner) -> EventKeys {
        EventKeys(orchestrator: orchestrator.checksummed, sender: winner.ticket.sender.checksummed)
    }

    /// The redemptions of this orchestrator in the log: submitted (transaction → tickets, gas price) and those closed
    /// (confirmed, reverted or failed). A settlement event whose payload does not fit its type fails the read.
    public func redemptions() throws -> (submitted: [Hash32: (tickets: [Hash32], gasPrice: UInt256)], closed: Set<Hash32>) {
        var submitted: [Hash32: (tickets: [Hash32], gasPrice: UInt256)] = [:]
        var closed: Set<Hash32> = []
        try store.scanSettlement(orchestrator: orchestrator) { envelope in
            if let event = try RedemptionSubmitted.decoded(from: envelope) {
                submitted[event.txHash] = (event.tickets, event.gasPrice)
            } else if let hash = try Self.closedTransaction(envelope) {
                closed.insert(hash)
            }
            return true
        }
        return (submitted, closed)
    }

    /// The transaction an envelope closes: a confirmation (either version), a revert or a failure that names it.
    static func closedTransaction(_ envelope: EventEnvelope) throws -> Hash32? {
        if let confirmed = try RedemptionConfirmation.decoded(from: envelope) { return confirmed.txHash }
        if let reverted = try RedemptionReverted.decoded(from: envelope) { return reverted.receipt.txHash }
        if let failed = try RedemptionFailed.decoded(from: envelope) { return failed.txHash }
        return nil
    }
}
