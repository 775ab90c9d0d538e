public import EventLog
public import EventModel
import JSONCore

/// One event a message carries, validated and encoded for the log, or why it is not one.
public struct MessageItem: Sendable {
    /// Its index in a batch message; nil for a message of one event.
    public let element: Int?
    /// Its bytes within the message value, when known (a canonical batch); else the whole value stands for it.
    public let range: Range<Int>?
    public let event: Result<EncodedEvent, DeadLetterReason>
}

extension EnvelopeMessage {
    /// Every event a message carries: one for a single envelope, one per element for a batch (`BatchMessage`).
    /// A message in canonical form (what this project's producers write) is checked on a `CanonicalTape` and its
    /// payload bytes are kept; any other form is parsed and re-encoded. Both give the same content and the same
    /// refusals.
    public static func items(in message: KafkaMessage, topics: BusTopics) -> [MessageItem] {
        var items: [MessageItem] = []
        forEachItem(in: message, topics: topics) { items.append($0) }
        return items
    }

    /// `items(in:topics:)` one at a time, without gathering them (the log sink's loop: no array per message).
    public static func forEachItem(in message: KafkaMessage, topics: BusTopics, _ body: (MessageItem) -> Void) {
        if let tape = CanonicalTape(message.value) {
            let family = topics.family(ofTopic: message.topic)  // once per message, not per event
            guard tape.nodes[0].kind == .array else {
                return body(MessageItem(element: nil, range: nil,
                                        event: encoded(tape, at: 0, family: family, message: message, topics: topics)))
            }
            guard tape.nodes[0].count > 0 else { return body(emptyBatch) }
            var node = 1
            for element in 0..<Int(tape.nodes[0].count) {
                body(MessageItem(element: element, range: tape.range(of: node),
                                 event: encoded(tape, at: node, family: family, message: message, topics: topics)))
                node = Int(tape.nodes[node].after)
            }
            return
        }
        let value: JSONValue
        do { value = try JSONParser.parse(message.value) } catch {
            return body(MessageItem(element: nil, range: nil, event: .failure(.unparsable("not JSON: \(error)"))))
        }
        guard case .array(let elements) = value else {
            return body(MessageItem(element: nil, range: nil, event: encoded(value, message: message, topics: topics)))
        }
        guard !elements.isEmpty else { return body(emptyBatch) }
        for (index, element) in elements.enumerated() {
            body(MessageItem(element: index, range: nil, event: encoded(element, message: message, topics: topics)))
        }
    }

    private static let emptyBatch = MessageItem(element: nil, range: nil, event: .failure(.unparsable("an empty batch")))

    /// The envelope object at `index` on a canonical tape, from a message on the topic of `family`.
    private static func encoded(_ tape: CanonicalTape, at index: Int, family: Topic?, message: KafkaMessage,
                                topics: BusTopics) -> Result<EncodedEvent, DeadLetterReason> {
        guard let (header, payload) = canonicalParts(tape, at: index, family: family) else {
            return encoded(tape.value(at: index), message: message, topics: topics)
        }
        return Result { () throws(EventRejection) in try EncodedEvent(header, payload: tape, at: payload) }
            .mapError(DeadLetterReason.init)
    }

    /// A parsed envelope object.
    private static func encoded(_ value: JSONValue, message: KafkaMessage, topics: BusTopics) -> Result<EncodedEvent, DeadLetterReason> {
        let envelope: EventEnvelope
        do { envelope = try Self.envelope(from: value, on: message.topic, topics: topics) } catch { return .failure(error) }
        return Result { () throws(EventRejection) in try EncodedEvent(envelope) }.mapError(DeadLetterReason.init)
    }

    /// The header and the payload's node of the envelope object at `index`, when every envelope field has its JSON
    /// type and the topic is `family` (the message's); nil for anything else (the parse path then says what is wrong).
    static func canonicalParts(_ tape: CanonicalTape, at index: Int, family: Topic?) -> (EventHeader, Int)? {
        guard let id = tape.member("id", of: index).flatMap(tape.string(at:)),
              let type = tape.member("type", of: index).flatMap(tape.string(at:)),
              let version = tape.member("version", of: index), tape.nodes[version].kind == .integer,
              let topicName = tape.member("topic", of: index).flatMap(tape.string(at:)),
              let topic = Topic(rawValue: topicName), family == topic,
              let timestamp = tape.member("timestamp", of: index), tape.nodes[timestamp].kind == .integer,
              let payload = tape.member("payload", of: index)
        else { return nil }
        var keys = EventKeys()
        if let object = tape.member("keys", of: index) {
            guard tape.nodes[object].kind == .object else { return nil }
            var key = object + 1
            for _ in 0..<tape.nodes[object].count {
                guard let kind = tape.string(at: key).flatMap(EventKeys.Kind.init(rawValue:)),
                      let text = tape.string(at: key + 1) else { return nil }
                keys[kind] = text
                key = Int(tape.nodes[key + 1].after)
            }
        }
        let header = EventHeader(id: id, type: type, version: Int(tape.nodes[version].integer), topic: topic, keys: keys,
                                 timestamp: tape.nodes[timestamp].integer)
        return (header, payload)
    }
}
