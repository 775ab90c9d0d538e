public import EthCrypto
public import EventModel
public import Payments
public import Projections
import EventLog

/// Where a redeemer reads its own history and waits for its writes: the `payments` projection's state (its pending
/// winners), its settlement events in order, and when what it wrote has been applied. The node's projection host over
/// its LMDB log is the real one; the market simulation keeps the same history in memory.
public protocol RedemptionStore: Sendable {
    /// The `payments` projection's state as applied so far.
    func paymentsLedger() throws -> RecipientLedger
    /// Returns once everything stored now has been applied.
    func caughtUp() async throws
    /// Returns once the event `id` has been applied.
    func waitUntilApplied(eventID id: String) async throws
    /// Visits the settlement events keyed by `orchestrator`, oldest first, while `visit` returns true.
    func scanSettlement(orchestrator: Address, _ visit: (EventEnvelope) throws -> Bool) throws
    /// Yields after each batch of events applied: a redeemer's wake-ups.
    func appliedUpdates() -> AsyncStream<Void>
    /// Why the store stopped applying events, if it did (a redeemer stops with it).
    var failure: ProjectionHostError? { get }
}

extension ProjectionHost: RedemptionStore {
    public func paymentsLedger() throws -> RecipientLedger { try state(of: PaymentsLedgerProjection.self) }

    public func caughtUp() async throws { try await waitUntilApplied(through: log.head.sequence) }

    public func scanSettlement(orchestrator: Address, _ visit: (EventEnvelope) throws -> Bool) throws {
        try log.scan(topic: .settlement, key: (.orchestrator, orchestrator.checksummed)) { stored in
            try visit(try stored.record().envelope)
        }
    }

    public func appliedUpdates() -> AsyncStream<Void> { updates().wakeUps }
}
