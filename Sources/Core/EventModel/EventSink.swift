import Synchronization

/// Where a node's events go. Both calls keep order: events handed over earlier are stored earlier.
/// `emit` never blocks (bookkeeping events: scheduling, refusals); `persist` returns only once its events are
/// durable (money: payments, winners, fees, settlement), so a caller acknowledges nothing the log could lose.
/// The log's sink (`LogEventSink`) and, in distributed mode, `KafkaEventSink` are the real ones.
public protocol EventSink: Sendable {
    /// Queues `events` after everything handed over before; does not wait. A failure is counted and fails the
    /// node's health, never silently dropped.
    func emit(_ events: [EventEnvelope])
    /// Stores `events` after everything handed over before and returns once they are durable (committed and
    /// synced in the log, or acknowledged by all in-sync replicas on the bus).
    func persist(_ events: [EventEnvelope]) async throws(EventSinkError)
    /// Events handed to `emit` that were refused or could not be stored, since the sink was made.
    var failureCount: Int { get }
    /// The last such failure, with its reason (nil when none).
    var lastFailure: String? { get }
}

extension EventSink {
    public var failureCount: Int { 0 }
    public var lastFailure: String? { nil }
}

/// Why a sink could not take events: refused (the event itself is wrong; a node's bug) or not durable (storage
/// or broker failure; retrying the same events is safe, appends are idempotent on the event id).
public enum EventSinkError: Error, Sendable, Equatable, CustomStringConvertible {
    case refused(type: String, id: String, reason: String)
    case notDurable(String)

    public var description: String {
        switch self {
        case .refused(let type, let id, let reason): "event \(type) \(id) refused: \(reason)"
        case .notDurable(let reason): "events not durable: \(reason)"
        }
    }
}

/// A sink that drops every event (a node run without a log: tools and throwaway servers only).
public struct DiscardingSink: EventSink {
    public init() {}
    public func emit(_ events: [EventEnvelope]) {}
    public func persist(_ events: [EventEnvelope]) async throws(EventSinkError) {}
}

/// A sink that keeps events in memory, in order (tests reading what a node emitted, and short demos).
public final class CollectingSink: EventSink, Sendable {
    private let stored = Mutex<[EventEnvelope]>([])

    public init() {}
    public func emit(_ events: [EventEnvelope]) { stored.withLock { $0 += events } }
    public func persist(_ events: [EventEnvelope]) async throws(EventSinkError) { emit(events) }
    /// Everything emitted so far.
    public var events: [EventEnvelope] { stored.withLock { $0 } }
}
