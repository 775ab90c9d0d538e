public import EventModel
import JSONCore

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
        guard let versions = schemas[envelope.type] else { throw .unknownType(envelope.type) }
        guard let (definition, schema) = versions[envelope.version] else {
            throw .unsupportedVersion(type: envelope.type, version: envelope.version)
        }
        guard definition.topic == envelope.topic else {
            throw .wrongTopic(type: envelope.type, expected: definition.topic.rawValue, actual: envelope.topic.rawValue)
        }
        for kind in definition.requiredKeys where envelope.keys[kind] == nil {
            throw .emptyIdentifier(field: "keys.\(kind.rawValue)")
        }
        let violations = schema.validate(envelope.payload)
        guard violations.isEmpty else {
            throw .schemaViolation(type: envelope.type, version: envelope.version, violations: violations.map(\.description))
        }
    }
}
