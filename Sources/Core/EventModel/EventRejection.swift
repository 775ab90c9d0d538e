/// Why an event was refused before it reached the log; each case names the field and the rule.
public enum EventRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyIdentifier(field: String)
    case identifierTooLong(field: String, bytes: Int)
    case controlCharacter(field: String)
    case unknownType(String)
    case unsupportedVersion(type: String, version: Int)
    case wrongTopic(type: String, expected: String, actual: String)
    case payloadNotCanonical(String)
    case schemaViolation(type: String, version: Int, violations: [String])

    public var description: String {
        switch self {
        case .emptyIdentifier(let field): "\(field) is empty"
        case .identifierTooLong(let field, let bytes):
            "\(field) is \(bytes) bytes (at most \(EventEnvelope.maxIdentifierBytes))"
        case .controlCharacter(let field): "\(field) contains a control character"
        case .unknownType(let type): "unknown event type \(type)"
        case .unsupportedVersion(let type, let version): "\(type) has no schema version \(version)"
        case .wrongTopic(let type, let expected, let actual): "\(type) belongs on topic \(expected), not \(actual)"
        case .payloadNotCanonical(let reason): "payload cannot be written canonically: \(reason)"
        case .schemaViolation(let type, let version, let violations):
            "\(type) v\(version) payload violates its schema: \(violations.joined(separator: "; "))"
        }
    }
}

/// The envelope rules every event obeys before it is encoded: non-empty, bounded, printable ids and keys.
enum EnvelopeRules {
    static func check(_ envelope: EventHeader) throws(EventRejection) {
        try identifier(envelope.id, field: "id")
        try identifier(envelope.type, field: "type")
        // The four keys read directly (no array of the present ones per event).
        let keys = envelope.keys
        if let value = keys.stream { try identifier(value, field: "keys.stream") }
        if let value = keys.session { try identifier(value, field: "keys.session") }
        if let value = keys.orchestrator { try identifier(value, field: "keys.orchestrator") }
        if let value = keys.sender { try identifier(value, field: "keys.sender") }
        guard envelope.version >= 1, envelope.version <= Int(UInt32.max) else {
            throw .unsupportedVersion(type: envelope.type, version: envelope.version)
        }
    }

    /// `field` is only rendered when the identifier is refused.
    static func identifier(_ text: String, field: @autoclosure () -> String) throws(EventRejection) {
        let count = text.utf8.count
        guard count > 0 else { throw .emptyIdentifier(field: field()) }
        guard count <= EventEnvelope.maxIdentifierBytes else { throw .identifierTooLong(field: field(), bytes: count) }
        // C0 controls and DEL are single UTF-8 bytes and never occur inside a multi-byte sequence.
        guard !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { throw .controlCharacter(field: field()) }
    }
}
