public import EthCrypto
public import EventModel
import EventSchemas
public import Payments
public import Projections
public import Settlement
import Synchronization

/// A node's event log kept in memory for the market simulation: the same contract as the LMDB log behind
/// `LogEventSink` and the projection host. Every event is checked against its schema, appends are idempotent on the
/// event id, records are hash-chained, `persist` is durable on return, and `emit` is durable only at the next group
/// commit (`commit()`), so a crash (`crash()`) loses what was emitted since, as a killed process does. The payments
/// projection is folded as events are stored, so the redeemer reads its own writes. Bounded by `capacity` events.
public final class MemoryEventStore: EventSink, RedemptionStore, Sendable {
    /// Events the store holds at most; an append past it is refused (`notDurable`), never dropped silently.
    public let capacity: Int
    private let state: Mutex<State>

    private struct State {
        var records: [EventRecord] = []
        var ids: Set<String> = []
        var pending: [EventEnvelope] = []
        var ledger = RecipientLedger()
        var failures = 0
        var lastFailure: String?
    }

    public init(capacity: Int = 1_000_000) {
        self.capacity = max(1, capacity)
        state = Mutex(State())
    }

    // MARK: EventSink

    public func emit(_ events: [EventEnvelope]) {
        state.withLock { state in
            for event in events {
                do throws(EventRejection) {
                    try EventValidator.shared.validate(event)
                    state.pending.append(event)
                } catch {
                    state.failures += 1
                    state.lastFailure = "event \(event.type) \(event.id) refused: \(error)"
                }
            }
        }
    }

    public func persist(_ events: [EventEnvelope]) async throws(EventSinkError) {
        try store(events)
    }

    /// `persist` without the suspension: the events, after everything emitted before them, durable on return.
    public func store(_ events: [EventEnvelope]) throws(EventSinkError) {
        for event in events {
            do throws(EventRejection) { try EventValidator.shared.validate(event) } catch {
                throw .refused(type: event.type, id: event.id, reason: "\(error)")
            }
        }
        try state.withLock { (state) throws(EventSinkError) in
            let queued = state.pending
            state.pending = []
            for event in queued + events { try Self.append(event, to: &state, capacity: capacity) }
        }
    }

    public var failureCount: Int { state.withLock { $0.failures } }
    public var lastFailure: String? { state.withLock { $0.lastFailure } }

    /// The group commit: everything emitted so far becomes durable. Returns how many events were stored.
    @discardableResult
    public func commit() -> Int {
        state.withLock { state in
            let queued = state.pending
            state.pending = []
            var stored = 0
            for event in queued {
                do throws(EventSinkError) {
                    try Self.append(event, to: &state, capacity: capacity)
                    stored += 1
                } catch {
                    state.failures += 1
                    state.lastFailure = "\(error)"
                }
            }
            return stored
        }
    }

    /// The process died: what was emitted since the last group commit is gone. Returns how many events were lost.
    @discardableResult
    public func crash() -> Int {
        state.withLock { state in
            defer { state.pending = [] }
            return state.pending.count
        }
    }

    private static func append(_ event: EventEnvelope, to state: inout State, capacity: Int) throws(EventSinkError) {
        guard !state.ids.contains(event.id) else { return }
        guard state.records.count < capacity else {
            throw .notDurable("the in-memory log is full (\(capacity) events)")
        }
        let content: [UInt8]
        do { content = try CanonicalEvent.content(of: event) } catch { throw .refused(type: event.type, id: event.id, reason: "\(error)") }
        let sequence = UInt64(state.records.count + 1)
        let previous = state.records.last?.hash ?? .zero
        let record = EventRecord(sequence: sequence, envelope: event, previousHash: previous,
                                 hash: CanonicalEvent.hash(content: content, sequence: sequence, previous: previous))
        state.records.append(record)
        state.ids.insert(event.id)
        PaymentsLedgerProjection().apply(&state.ledger, record)
    }

    // MARK: reading

    /// Every durable record, oldest first.
    public var records: [EventRecord] { state.withLock { $0.records } }
    /// Durable records from `sequence` (1-based) on.
    public func records(from sequence: UInt64) -> [EventRecord] {
        state.withLock { Array($0.records.dropFirst(Int(max(1, sequence)) - 1)) }
    }
    /// How many events are durable, and the hash of the last.
    public var head: (sequence: UInt64, hash: Hash32) {
        state.withLock { (UInt64($0.records.count), $0.records.last?.hash ?? .zero) }
    }
    /// Whether an event with this id is durable.
    public func contains(eventID id: String) -> Bool { state.withLock { $0.ids.contains(id) } }

    /// A projection folded from the first durable event: what a restarted node rebuilds.
    public func replay<P: Projection>(_ projection: P) throws -> P.State {
        var folded = projection.initialState
        for record in records { try projection.apply(&folded, record) }
        return folded
    }

    /// Where the hash chain breaks (nil when every record links to the one before and hashes its own content).
    public func chainBreak() -> UInt64? {
        var previous = Hash32.zero
        for record in records {
            guard record.previousHash == previous, let content = try? CanonicalEvent.content(of: record.envelope),
                  CanonicalEvent.hash(content: content, sequence: record.sequence, previous: previous) == record.hash else {
                return record.sequence
            }
            previous = record.hash
        }
        return nil
    }

    // MARK: RedemptionStore

    public func paymentsLedger() throws -> RecipientLedger { state.withLock { $0.ledger } }

    /// Applied as it is stored: nothing to wait for.
    public func caughtUp() async throws {}

    public func waitUntilApplied(eventID id: String) async throws {
        guard contains(eventID: id) else { throw EventSinkError.notDurable("event \(id) is not in the log") }
    }

    public func scanSettlement(orchestrator: Address, _ visit: (EventEnvelope) throws -> Bool) throws {
        let key = orchestrator.checksummed
        for record in records where record.envelope.topic == .settlement && record.envelope.keys.orchestrator == key {
            guard try visit(record.envelope) else { return }
        }
    }

    /// The simulation steps its redeemers itself: no wake-ups.
    public func appliedUpdates() -> AsyncStream<Void> { AsyncStream { $0.finish() } }

    public var failure: ProjectionHostError? { nil }
}
