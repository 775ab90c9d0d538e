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

    /// Key names are ASCII, so sorting by rawValue is canonical (UTF-8) order.
    private static let keyKindsInCanonicalOrder = EventKeys.Kind.allCases.sorted { $0.rawValue < $1.rawValue }

    /// The canonical JSON of the envelope, written field by field in canonical (sorted) order: the same bytes as
    /// CanonicalJSON of the envelope object, without building that object.
    static func value(of envelope: EventEnvelope) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        try append(envelope, to: &out)
        return out
    }

    /// Writes the envelope's canonical JSON at the end of `out`.
    static func append(_ envelope: EventEnvelope, to out: inout [UInt8]) throws {
        out.append(contentsOf: #"{"id":"#.utf8)
        CanonicalJSON.appendString(envelope.id, to: &out)
        out.append(contentsOf: #","keys":{"#.utf8)
        var first = true
        for kind in keyKindsInCanonicalOrder {
            guard let value = envelope.keys[kind] else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            CanonicalJSON.appendString(kind.rawValue, to: &out)
            out.append(UInt8(ascii: ":"))
            CanonicalJSON.appendString(value, to: &out)
        }
        out.append(contentsOf: #"},"payload":"#.utf8)
        try CanonicalJSON.encode(envelope.payload, into: &out)
        out.append(contentsOf: #","timestamp":"#.utf8)
        CanonicalJSON.appendInteger(envelope.timestamp, to: &out)
        out.append(contentsOf: #","topic":"#.utf8)
        CanonicalJSON.appendString(envelope.topic.rawValue, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        CanonicalJSON.appendString(envelope.type, to: &out)
        out.append(contentsOf: #","version":"#.utf8)
        CanonicalJSON.appendInteger(Int64(envelope.version), to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// The envelope a message carries, checked against the topic it came from (validation against the catalog is
    /// the log's job). Throws a typed reason that becomes a dead letter.
    public static func decode(_ message: KafkaMessage, topics: BusTopics) throws(DeadLetterReason) -> EventEnvelope {
        let value: JSONValue
        do { value = try JSONParser.parse(message.value) } catch { throw .unparsable("not JSON: \(error)") }
        return try envelope(from: value, on: message.topic, topics: topics)
    }

    /// The envelope a parsed JSON object states, checked against the topic it arrived on.
    static func envelope(from value: JSONValue, on messageTopic: String, topics: BusTopics) throws(DeadLetterReason) -> EventEnvelope {
        guard case .object = value else { throw .unparsable("the value is not a JSON object") }
        guard let id = value["id"]?.stringValue, let type = value["type"]?.stringValue,
              let version = value["version"]?.integerValue, let topicName = value["topic"]?.stringValue,
              let timestamp = value["timestamp"]?.integerValue, let payload = value["payload"]
        else { throw .unparsable("id, type, version, topic, timestamp and payload are required with their JSON types") }
        guard let topic = Topic(rawValue: topicName) else { throw .unknownType("unknown topic \(topicName)") }
        guard topics.family(ofTopic: messageTopic) == topic else {
            throw .wrongTopic("a \(topicName) event arrived on \(messageTopic)")
        }
        var keys = EventKeys()
        if let object = value["keys"] {
            do { keys = try EventKeys(jsonObject: object) } catch { throw .unparsable(error.description) }
        }
        return EventEnvelope(id: id, type: type, version: Int(version), topic: topic, keys: keys, timestamp: timestamp,
                             payload: payload)
    }
}
