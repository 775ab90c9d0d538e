import Foundation
public import EventModel
import EventSchemas

/// A node's event sink in distributed mode: each `emit` is validated against the catalog and queued on the
/// producer in call order (no waiting); the log sink consuming the topics makes the events durable. Events the
/// catalog refuses and failed deliveries are kept, with their reasons, in `problems`.
public final class KafkaEventSink: EventSink, @unchecked Sendable {
    // @unchecked: `issues` is guarded by `lock`; `pending` is a DispatchGroup (thread-safe).
    public let publisher: EventPublisher
    private let lock = NSLock()
    private var issues: [String] = []
    private let pending = DispatchGroup()

    public init(publisher: EventPublisher) { self.publisher = publisher }

    public func emit(_ events: [EventEnvelope]) {
        var messages: [OutgoingMessage] = []
        for envelope in events {
            do {
                try EventValidator.shared.validate(envelope)
                messages.append(try EnvelopeMessage.encode(envelope, topics: publisher.topics))
            } catch {
                lock.withLock { issues.append("\(envelope.type) \(envelope.id): \(error)") }
            }
        }
        guard !messages.isEmpty else { return }
        pending.enter()
        publisher.producer.enqueue(messages) { [self] result in
            if case .failure(let error) = result { lock.withLock { issues.append("publish failed: \(error)") } }
            pending.leave()
        }
    }

    /// Waits (off the cooperative pool) until the broker has acknowledged every event emitted before the call.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pending.notify(queue: .global()) { continuation.resume() }
        }
    }

    /// Events refused by the catalog or not acknowledged by the broker, with the reason.
    public var problems: [String] { lock.withLock { issues } }
}
