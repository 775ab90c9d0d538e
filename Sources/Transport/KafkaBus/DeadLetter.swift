public import EventModel

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
/// origin as headers) and the `bus.deadlettered` event that records it. For an element of a batch, the copy holds
/// that element's bytes where they are known, and the origin and the event's id name the element.
public enum DeadLetter {
    /// The copy for the dead-letter topic.
    public static func message(for message: KafkaMessage, item: MessageItem? = nil, reason: DeadLetterReason,
                               topics: BusTopics) -> OutgoingMessage {
        let value = item?.range.map { Array(message.value[$0]) } ?? message.value
        return OutgoingMessage(
            topic: topics.name(.deadLetter), key: message.key, value: value,
            headers: message.headers + [
                KafkaHeader("streamflow-dead-reason", Array(reason.description.utf8)),
                KafkaHeader("streamflow-dead-origin", Array((origin(message, "/") + element(item, "#")).utf8)),
            ])
    }

    /// The event; its id names the origin, so a redelivered bad message is recorded once.
    public static func event(for message: KafkaMessage, item: MessageItem? = nil, reason: DeadLetterReason, consumer: String,
                             timestamp: Int64) -> EventEnvelope {
        let bytes = item?.range?.count ?? message.value.count
        let detail = (item?.element.map { "element \($0) of the batch: " } ?? "") + reason.detail
        return BusDeadLettered(sourceTopic: message.topic, partition: Int64(message.partition), offset: message.offset, consumer: consumer,
                               bytes: Int64(bytes), reason: reason.code, detail: detail)
            .envelope(id: "dead:" + origin(message, ":") + element(item, ":"), keys: EventKeys(), timestamp: timestamp)
    }

    private static func origin(_ message: KafkaMessage, _ separator: String) -> String {
        "\(message.topic)\(separator)\(message.partition)\(separator)\(message.offset)"
    }

    private static func element(_ item: MessageItem?, _ separator: String) -> String {
        item?.element.map { "\(separator)\($0)" } ?? ""
    }
}
