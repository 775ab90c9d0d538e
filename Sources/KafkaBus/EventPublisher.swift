public import EventModel

/// Publishes events on their family's topic through an idempotent producer; a publish returns once the broker
/// has acknowledged it (acks=all).
public final class EventPublisher: Sendable {
    public let producer: KafkaProducer
    public let topics: BusTopics

    public init(producer: KafkaProducer, topics: BusTopics) {
        self.producer = producer
        self.topics = topics
    }

    /// Publishes `events` in order, each with the headers given for its id (binary data), and waits for the broker.
    public func publish(_ events: [EventEnvelope], headers: [String: [KafkaHeader]] = [:]) async throws {
        let messages = try events.map { try EnvelopeMessage.encode($0, topics: topics, headers: headers[$0.id] ?? []) }
        _ = try await producer.send(messages)
    }
}
