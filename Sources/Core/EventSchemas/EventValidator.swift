public import EventModel
public import JSONCore

/// Checks an envelope against the catalog: known type and version, right topic, required keys,
/// and the payload against its compiled JSON Schema. Every event is checked before it is written.
public final class EventValidator: Sendable {
    /// The catalog compiled once for the process.
    public static let shared = EventValidator()

    /// type → version → its definition and compiled schema (one string hash per validation).
    private let schemas: [String: [Int: (definition: EventDefinition, schema: JSONSchema)]]

    private init() {
        var compiled: [String: [Int: (definition: EventDefinition, schema: JSONSchema)]] = [:]
        for definition in EventCatalog.definitions {
            do { compiled[definition.type, default: [:]][definition.version] = (definition, try JSONSchema(definition.document)) } catch {
                fatalError("the built-in schema \(definition.fileName) does not compile: \(error)")
            }
        }
        schemas = compiled
    }

    /// Throws the first rule the envelope breaks (schema violations are all listed).
    public func validate(_ envelope: EventEnvelope) throws(EventRejection) {
        let schema = try schema(for: envelope.header)
        try check(envelope.payload, against: schema, type: envelope.type, version: envelope.version)
    }

    /// The same verdict for a payload on a canonical tape, without building its tree (only a refused
    /// payload is parsed, to list its violations).
    public func validate(_ header: EventHeader, payload tape: CanonicalTape, at index: Int) throws(EventRejection) {
        let schema = try schema(for: header)
        guard !schema.isValid(tape, at: index) else { return }
        try check(tape.value(at: index), against: schema, type: header.type, version: header.version)
    }

    /// The schema of a known type and version on its topic with its required keys.
    private func schema(for header: EventHeader) throws(EventRejection) -> JSONSchema {
        guard let versions = schemas[header.type] else { throw .unknownType(header.type) }
        guard let (definition, schema) = versions[header.version] else {
            throw .unsupportedVersion(type: header.type, version: header.version)
        }
        guard definition.topic == header.topic else {
            throw .wrongTopic(type: header.type, expected: definition.topic.rawValue, actual: header.topic.rawValue)
        }
        for kind in definition.requiredKeys where header.keys[kind] == nil {
            throw .emptyIdentifier(field: "keys.\(kind.rawValue)")
        }
        return schema
    }

    private func check(_ payload: JSONValue, against schema: JSONSchema, type: String, version: Int) throws(EventRejection) {
        let violations = schema.validate(payload)
        guard violations.isEmpty else {
            throw .schemaViolation(type: type, version: version, violations: violations.map(\.description))
        }
    }
}
