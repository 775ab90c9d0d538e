public import EventModel
import JSONCore

/// An event as a Kafka message: the value is the envelope as canonical JSON (id, type, version, topic, keys,
/// timestamp, payload — the fields of Schemas/envelope), the key is its partition key, and the header
/// `streamflow-type` repeats the type for routing without parsing. Large binary data rides in other headers.
public enum EnvelopeMessage {
    public static let typeHeader = "streamflow-type"

    public static func encode(_ envelope: EventEnvelope, topics: BusTopics, headers: [KafkaHeader] = []) throws -> OutgoingMessage {
        OutgoingMessage(topic: topics.name(envelope.topic), key: envelope.keys.partitionKey.map { Array($0.utf8) },
                        value: try value(of: envelope), headers: [KafkaHeader(typeHeader, Array(envelope.type.utf8))] + headers)
    }

    /// The canonical JSON of the envelope (`EnvelopeJSON`, the one form every reader shares).
    static func value(of envelope: EventEnvelope) throws -> [UInt8] { try EnvelopeJSON.encode(envelope) }

    /// Writes the envelope's canonical JSON at the end of `out`.
    static func append(_ envelope: EventEnvelope, to out: inout [UInt8]) throws { try EnvelopeJSON.append(envelope, to: &out) }

    /// The envelope a message carries, checked against the topic it came from (validation against the catalog is
    /// the log's job). Throws a typed reason that becomes a dead letter.
    public static func decode(_ message: KafkaMessage, topics: BusTopics) throws(DeadLetterReason) -> EventEnvelope {
        let value: JSONValue
        do { value = try JSONParser.parse(message.value) } catch { throw .unparsable("not JSON: \(error)") }
        return try envelope(from: value, on: message.topic, topics: topics)
    }

    /// The envelope a parsed JSON object states, checked against the topic it arrived on.
    static func envelope(from value: JSONValue, on messageTopic: String, topics: BusTopics) throws(DeadLetterReason) -> EventEnvelope {
        let envelope: EventEnvelope
        do { envelope = try EnvelopeJSON.decode(value) } catch {
            if case .unknownTopic = error { throw .unknownType(error.description) }
            throw .unparsable(error.description)
        }
        guard topics.family(ofTopic: messageTopic) == envelope.topic else {
            throw .wrongTopic("a \(envelope.topic.rawValue) event arrived on \(messageTopic)")
        }
        return envelope
    }
}
