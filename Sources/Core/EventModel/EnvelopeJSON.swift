public import JSONCore

/// The one JSON form of an event envelope — `id`, `type`, `version`, `topic`, `keys`, `timestamp`, `payload` — used by
/// the Kafka bus (a message's value), the log's export lines (with their chain fields) and the embedded chain's outbox.
/// Written as canonical JSON, so one envelope is always the same bytes; read back with one typed error, so a malformed
/// envelope is refused with its reason and never dropped or half-read.
public enum EnvelopeJSON {
    /// The envelope's fields, in canonical (sorted) order.
    public static let fields = ["id", "keys", "payload", "timestamp", "topic", "type", "version"]

    /// The envelope as a JSON object.
    public static func object(_ envelope: EventEnvelope) -> JSONValue {
        [
            "id": .string(envelope.id), "type": .string(envelope.type), "version": .integer(Int64(envelope.version)),
            "topic": .string(envelope.topic.rawValue), "keys": envelope.keys.jsonObject, "timestamp": .integer(envelope.timestamp),
            "payload": envelope.payload,
        ]
    }

    /// The envelope's canonical JSON: the same bytes as `CanonicalJSON.encode(object(envelope))`.
    public static func encode(_ envelope: EventEnvelope) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        try append(envelope, to: &out)
        return out
    }

    /// Key names are ASCII, so sorting by rawValue is canonical (UTF-8) order.
    private static let keyKindsInCanonicalOrder = EventKeys.Kind.allCases.sorted { $0.rawValue < $1.rawValue }

    /// Writes the envelope's canonical JSON at the end of `out`, field by field in sorted order, without building the
    /// object first (the bus writes one per event).
    public static func append(_ envelope: EventEnvelope, to out: inout [UInt8]) throws {
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

    /// The envelope a JSON object states. Every field is required with its JSON type, the topic must be known and the
    /// keys valid; a member that is neither an envelope field nor in `extraFields` is refused.
    public static func decode(_ value: JSONValue, extraFields: Set<String> = []) throws(EnvelopeDecodingError) -> EventEnvelope {
        guard case .object(let members) = value else { throw .notAnObject }
        for name in members.keys where !fields.contains(name) && !extraFields.contains(name) { throw .unexpectedField(name) }
        func field(_ name: String) throws(EnvelopeDecodingError) -> JSONValue {
            guard let member = members[name] else { throw .missingField(name) }
            return member
        }
        // Only the form is checked here; whether the type, version and payload are a known event is the catalog's word.
        guard let id = try field("id").stringValue else { throw .wrongType(field: "id", expected: "a string") }
        guard let type = try field("type").stringValue else { throw .wrongType(field: "type", expected: "a string") }
        guard let version = try field("version").integerValue, let version = Int(exactly: version) else {
            throw .wrongType(field: "version", expected: "an integer")
        }
        guard let topicName = try field("topic").stringValue else { throw .wrongType(field: "topic", expected: "a string") }
        guard let topic = Topic(rawValue: topicName) else { throw .unknownTopic(topicName) }
        guard let timestamp = try field("timestamp").integerValue else { throw .wrongType(field: "timestamp", expected: "an integer") }
        let keysValue = try field("keys")
        let keys: EventKeys
        do throws(EventKeysJSONError) { keys = try EventKeys(jsonObject: keysValue) } catch { throw .invalidKeys(error.description) }
        return EventEnvelope(id: id, type: type, version: version, topic: topic, keys: keys, timestamp: timestamp,
                             payload: try field("payload"))
    }

    /// The envelope in `bytes` (one JSON object).
    public static func decode(bytes: [UInt8]) throws(EnvelopeDecodingError) -> EventEnvelope {
        try decode(try parse(bytes))
    }

    /// A JSON array of envelopes as canonical bytes (the embedded chain's outbox).
    public static func encodeArray(_ envelopes: [EventEnvelope]) throws -> [UInt8] {
        try CanonicalJSON.encode(.array(envelopes.map(object)))
    }

    /// Every envelope of a JSON array; the first that is malformed fails the whole array, naming its index.
    public static func decodeArray(bytes: [UInt8]) throws(EnvelopeDecodingError) -> [EventEnvelope] {
        guard case .array(let items) = try parse(bytes) else { throw .notAnArray }
        var envelopes: [EventEnvelope] = []
        envelopes.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do { envelopes.append(try decode(item)) } catch { throw .inArray(index: index, error.description) }
        }
        return envelopes
    }

    private static func parse(_ bytes: [UInt8]) throws(EnvelopeDecodingError) -> JSONValue {
        do { return try JSONParser.parse(bytes) } catch { throw .notJSON("\(error)") }
    }
}

/// Why bytes or a JSON value are not an event envelope.
public enum EnvelopeDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case notJSON(String)
    case notAnObject
    case notAnArray
    case missingField(String)
    case wrongType(field: String, expected: String)
    case unexpectedField(String)
    case unknownTopic(String)
    case invalidKeys(String)
    /// The item at `index` of an array of envelopes, and why.
    case inArray(index: Int, String)

    public var description: String {
        switch self {
        case .notJSON(let why): "not JSON: \(why)"
        case .notAnObject: "an envelope must be a JSON object"
        case .notAnArray: "envelopes must be a JSON array"
        case .missingField(let name): "missing field \(name)"
        case .wrongType(let field, let expected): "\(field) must be \(expected)"
        case .unexpectedField(let name): "unexpected field \(name)"
        case .unknownTopic(let name): "unknown topic \(name)"
        case .invalidKeys(let why): why
        case .inArray(let index, let why): "envelope \(index): \(why)"
        }
    }
}
