public import EventModel
import JSONCore

/// Why a message went to the dead-letter topic (the `reason` of a `bus.deadlettered` event).
public enum DeadLetterReason: Error, Equatable, Sendable, CustomStringConvertible {
    case unparsable(String)
    case unknownType(String)
    case schema(String)
    case wrongTopic(String)
    case missingData(String)

    /// The reason's name in the event.
    public var code: String {
        switch self {
        case .unparsable: "unparsable"
        case .unknownType: "unknown-type"
        case .schema: "schema"
        case .wrongTopic: "wrong-topic"
        case .missingData: "missing-data"
        }
    }

    public var detail: String {
        switch self {
        case .unparsable(let text), .unknownType(let text), .schema(let text), .wrongTopic(let text), .missingData(let text): text
        }
    }

    public var description: String { "\(code): \(detail)" }

    /// The reason for an event the catalog refused.
    public init(_ rejection: EventRejection) {
        switch rejection {
        case .unknownType, .unsupportedVersion: self = .unknownType(rejection.description)
        case .wrongTopic: self = .wrongTopic(rejection.description)
        default: self = .schema(rejection.description)
        }
    }
}

/// Setting a message aside: a copy on the dead-letter topic (original key, value and headers plus the reason and
/// origin as headers) and the `bus.deadlettered` event that records it.
public enum DeadLetter {
    /// The copy for the dead-letter topic.
    public static func message(for message: KafkaMessage, reason: DeadLetterReason, topics: BusTopics) -> OutgoingMessage {
        OutgoingMessage(
            topic: topics.name(.deadLetter), key: message.key, value: message.value,
            headers: message.headers + [
                KafkaHeader("streamflow-dead-reason", Array(reason.description.utf8)),
                KafkaHeader("streamflow-dead-origin", Array("\(message.topic)/\(message.partition)/\(message.offset)".utf8)),
            ])
    }

    /// The event; its id names the origin, so a redelivered bad message is recorded once.
    public static func event(for message: KafkaMessage, reason: DeadLetterReason, consumer: String, timestamp: Int64) -> EventEnvelope {
        EventEnvelope(
            id: "dead:\(message.topic):\(message.partition):\(message.offset)", type: "bus.deadlettered", version: 1,
            topic: .deadLetter, timestamp: timestamp,
            payload: [
                "sourceTopic": .string(message.topic), "partition": .integer(Int64(message.partition)),
                "offset": .integer(message.offset), "consumer": .string(consumer), "bytes": .integer(Int64(message.value.count)),
                "reason": .string(reason.code), "detail": .string(String(reason.detail.prefix(1_000))),
            ])
    }
}
