public import EventLog
import Synchronization
public import EventModel
import EventSchemas

/// A node's event sink in distributed mode: each `emit` is validated against the catalog and queued on the
/// producer in call order (no waiting); the log sink consuming the topics makes the events durable. Events the
/// catalog refuses and failed deliveries are counted in `failureCount`, the last with its reason in `lastFailure`.
public final class KafkaEventSink: EventSink, Sendable {
    public let publisher: EventPublisher
    private let pending = PendingEmits()
    /// The last event id handed over per topic and partition key (order holds per key), for draining at shutdown.
    private let marks = Mutex<[String: String]>([:])
    /// Bound on `marks`: past it the oldest keys' marks are dropped (a drain then waits for the newest keys only).
    public static let maxMarks = 100_000

    public init(publisher: EventPublisher) { self.publisher = publisher }

    public func emit(_ events: [EventEnvelope]) {
        var messages: [OutgoingMessage] = []
        for envelope in events {
            do {
                try EventValidator.shared.validate(envelope)
                messages.append(try EnvelopeMessage.encode(envelope, topics: publisher.topics))
            } catch {
                pending.record("\(envelope.type) \(envelope.id): \(error)")
            }
        }
        guard !messages.isEmpty else { return }
        mark(events)
        pending.started()
        publisher.producer.enqueue(messages) { [pending] result in
            if case .failure(let error) = result { pending.finished(problem: "publish failed: \(error)") } else { pending.finished() }
        }
    }

    public func persist(_ events: [EventEnvelope]) async throws(EventSinkError) {
        var messages: [OutgoingMessage] = []
        for envelope in events {
            do {
                try EventValidator.shared.validate(envelope)
                messages.append(try EnvelopeMessage.encode(envelope, topics: publisher.topics))
            } catch {
                throw .refused(type: envelope.type, id: envelope.id, reason: "\(error)")
            }
        }
        guard !messages.isEmpty else { return }
        mark(events)
        let producer = publisher.producer
        let result = await withCheckedContinuation { continuation in
            producer.enqueue(messages) { continuation.resume(returning: $0) }
        }
        if case .failure(let error) = result { throw .notDurable("publish failed: \(error)") }
    }

    /// The last event id published per topic and partition key: once each is in the log (the log sink consumed it),
    /// every event this sink published before is too.
    public var lastPublishedIDs: [String] { marks.withLock { Array($0.values) } }

    private func mark(_ events: [EventEnvelope]) {
        marks.withLock { marks in
            for event in events { marks["\(event.topic.rawValue)|\(event.keys.partitionKey ?? "")"] = event.id }
            if marks.count > Self.maxMarks { marks.removeAll(keepingCapacity: true) }
        }
    }

    /// Waits (off the cooperative pool) until the broker has acknowledged every event emitted before the call.
    public func flush() async { await pending.flush() }

    /// How many events the catalog refused, plus how many deliveries the broker did not acknowledge.
    public var failureCount: Int { pending.failureCount }

    /// The last refusal or failed delivery, with its reason (nil when none).
    public var lastFailure: String? { pending.lastFailure }
}
