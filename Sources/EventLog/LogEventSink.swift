import Foundation
public import EventModel

/// The log as a node's event sink: each `emit` is validated and queued on the log's writer in call order
/// (no waiting); `flush()` returns once everything emitted so far is committed. Events the catalog refuses
/// and failed commits are kept, with their reasons, in `problems` (a node's bug, never silently dropped).
public final class LogEventSink: EventSink, @unchecked Sendable {
    // @unchecked: `issues` is guarded by `lock`; `pending` is a DispatchGroup (thread-safe).
    public let log: EventLog
    private let lock = NSLock()
    private var issues: [String] = []
    private let pending = DispatchGroup()

    public init(log: EventLog) { self.log = log }

    public func emit(_ events: [EventEnvelope]) {
        var prepared: [PreparedEvent] = []
        prepared.reserveCapacity(events.count)
        for envelope in events {
            do { prepared.append(try PreparedEvent(envelope)) } catch {
                lock.withLock { issues.append("\(envelope.type) \(envelope.id): \(error)") }
            }
        }
        guard !prepared.isEmpty else { return }
        pending.enter()
        log.append(prepared) { [self] result in
            if case .failure(let error) = result { lock.withLock { issues.append("append failed: \(error)") } }
            pending.leave()
        }
    }

    /// Waits (off the cooperative pool) until every event emitted before the call is committed.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pending.notify(queue: .global()) { continuation.resume() }
        }
    }

    /// Events refused by the catalog or lost to a failed commit, with the reason.
    public var problems: [String] { lock.withLock { issues } }
}
