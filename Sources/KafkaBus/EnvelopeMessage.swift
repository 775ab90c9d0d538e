public import EventLog
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

    /// The canonical JSON of the envelope, written field by field in canonical (sorted) order: the same bytes as
    /// CanonicalJSON of the envelope object, without building that object.
    static func value(of envelope: EventEnvelope) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        out.append(contentsOf: #"{"id":"#.utf8)
        CanonicalJSON.appendString(envelope.id, to: &out)
        out.append(contentsOf: #","keys":{"#.utf8)
        // Key names are ASCII, so sorting by rawValue is canonical (UTF-8) order.
        let keys = envelope.keys.present.sorted { $0.kind.rawValue < $1.kind.rawValue }
        for (index, key) in keys.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalJSON.appendString(key.kind.rawValue, to: &out)
            out.append(UInt8(ascii: ":"))
            CanonicalJSON.appendString(key.value, to: &out)
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
        return out
    }

    /// The envelope a message carries, checked against the topic it came from (validation against the catalog is
    /// the log's job). Throws a typed reason that becomes a dead letter.
    public static func decode(_ message: KafkaMessage, topics: BusTopics) throws(DeadLetterReason) -> EventEnvelope {
        let value: JSONValue
        do { value = try JSONParser.parse(message.value) } catch { throw .unparsable("not JSON: \(error)") }
        guard case .object = value else { throw .unparsable("the value is not a JSON object") }
        guard let id = value["id"]?.stringValue, let type = value["type"]?.stringValue,
              let version = value["version"]?.integerValue, let topicName = value["topic"]?.stringValue,
              let timestamp = value["timestamp"]?.integerValue, let payload = value["payload"]
        else { throw .unparsable("id, type, version, topic, timestamp and payload are required with their JSON types") }
        guard let topic = Topic(rawValue: topicName) else { throw .unknownType("unknown topic \(topicName)") }
        guard topics.family(ofTopic: message.topic) == topic else {
            throw .wrongTopic("a \(topicName) event arrived on \(message.topic)")
        }
        var keys = EventKeys()
        if let object = value["keys"] {
            do { keys = try EventKeys(jsonObject: object) } catch { throw .unparsable(error.description) }
        }
        return EventEnvelope(id: id, type: type, version: Int(version), topic: topic, keys: keys, timestamp: timestamp,
                             payload: payload)
    }

    /// The event a message carries, validated against the catalog and encoded for the log. A message in
    /// canonical form (what `encode` writes) is checked on a `CanonicalTape` and its payload bytes are kept;
    /// any other form is parsed and re-encoded. Both give the same content and the same refusals.
    public static func encodedEvent(_ message: KafkaMessage, topics: BusTopics) throws(DeadLetterReason) -> EncodedEvent {
        if let (header, tape, payload) = canonicalParts(message, topics: topics) {
            do { return try EncodedEvent(header, payload: tape, at: payload) } catch { throw DeadLetterReason(error) }
        }
        let envelope = try decode(message, topics: topics)
        do { return try EncodedEvent(envelope) } catch { throw DeadLetterReason(error) }
    }

    /// The header and the payload's place on the tape of a canonical message whose envelope fields all have
    /// their JSON types and whose topic matches; nil for anything else (`decode` then says what is wrong).
    static func canonicalParts(_ message: KafkaMessage, topics: BusTopics) -> (EventHeader, CanonicalTape, Int)? {
        guard let tape = CanonicalTape(message.value),
              let id = tape.member("id", of: 0).flatMap(tape.string(at:)),
              let type = tape.member("type", of: 0).flatMap(tape.string(at:)),
              let version = tape.member("version", of: 0), tape.nodes[version].kind == .integer,
              let topicName = tape.member("topic", of: 0).flatMap(tape.string(at:)),
              let topic = Topic(rawValue: topicName), topics.family(ofTopic: message.topic) == topic,
              let timestamp = tape.member("timestamp", of: 0), tape.nodes[timestamp].kind == .integer,
              let payload = tape.member("payload", of: 0)
        else { return nil }
        var keys = EventKeys()
        if let object = tape.member("keys", of: 0) {
            guard tape.nodes[object].kind == .object else { return nil }
            var key = object + 1
            for _ in 0..<tape.nodes[object].count {
                guard let name = tape.string(at: key).flatMap(EventKeys.Kind.init(rawValue:)),
                      let text = tape.string(at: key + 1) else { return nil }
                switch name {
                case .stream: keys.stream = text
                case .session: keys.session = text
                case .orchestrator: keys.orchestrator = text
                case .sender: keys.sender = text
                }
                key = Int(tape.nodes[key + 1].after)
            }
        }
        let header = EventHeader(id: id, type: type, version: Int(tape.nodes[version].integer), topic: topic, keys: keys,
                                 timestamp: tape.nodes[timestamp].integer)
        return (header, tape, payload)
    }
}
