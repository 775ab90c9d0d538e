import Foundation
public import EventModel

/// The log as a node's event sink: each `emit` is validated and queued on the log's writer in call order
/// (no waiting); `flush()` returns once everything emitted so far is committed. Events the catalog refuses
/// and failed commits are counted in `failureCount`, the last with its reason in `lastFailure` (a node's bug,
/// never silently dropped).
public final class LogEventSink: EventSink, Sendable {
    public let log: EventLog
    private let pending = PendingEmits()

    public init(log: EventLog) { self.log = log }

    public func emit(_ events: [EventEnvelope]) {
        var prepared: [PreparedEvent] = []
        prepared.reserveCapacity(events.count)
        for (envelope, result) in zip(events, PreparedEvent.prepareEach(events)) {
            switch result {
            case .success(let event): prepared.append(event)
            case .failure(let error): pending.record("\(envelope.type) \(envelope.id): \(error)")
            }
        }
        guard !prepared.isEmpty else { return }
        pending.started()
        log.append(prepared) { [pending] result in
            if case .failure(let error) = result { pending.finished(problem: "append failed: \(error)") } else { pending.finished() }
        }
    }

    public func persist(_ events: [EventEnvelope]) async throws(EventSinkError) {
        var prepared: [PreparedEvent] = []
        prepared.reserveCapacity(events.count)
        for (envelope, result) in zip(events, PreparedEvent.prepareEach(events)) {
            switch result {
            case .success(let event): prepared.append(event)
            case .failure(let error): throw .refused(type: envelope.type, id: envelope.id, reason: "\(error)")
            }
        }
        guard !prepared.isEmpty else { return }
        do { _ = try await log.append(prepared) } catch { throw .notDurable("\(error)") }
    }

    /// Waits (off the cooperative pool) until every event emitted before the call is committed.
    public func flush() async { await pending.flush() }

    /// How many events the catalog refused, plus how many commits failed.
    public var failureCount: Int { pending.failureCount }

    /// The last refusal or failed commit, with its reason (nil when none).
    public var lastFailure: String? { pending.lastFailure }
}
