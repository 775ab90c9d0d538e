public import EventModel

/// Publishes events on their family's topic through an idempotent producer; a publish returns once the broker
/// has acknowledged it (acks=all). With `eventsPerMessage` above 1, each call's events of one key share messages
/// (`BatchMessage`), for producers whose events only the log sink reads.
public final class EventPublisher: Sendable {
    public let producer: KafkaProducer
    public let topics: BusTopics
    public let eventsPerMessage: Int

    public init(producer: KafkaProducer, topics: BusTopics, eventsPerMessage: Int = 1) {
        self.producer = producer
        self.topics = topics
        self.eventsPerMessage = eventsPerMessage
    }

    /// Publishes `events` in order per key, each with the headers given for its id (binary data; such an event
    /// travels alone), and waits for the broker.
    public func publish(_ events: [EventEnvelope], headers: [String: [KafkaHeader]] = [:]) async throws {
        let messages = try BatchMessage.messages(for: events, topics: topics, eventsPerMessage: eventsPerMessage, headers: headers)
        _ = try await producer.send(messages)
    }
}
