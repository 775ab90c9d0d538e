public import EthCrypto
public import JSONCore

/// An event declared once as a Swift type: its type name, version, topic and required keys beside its payload's
/// fields. Producers build envelopes from it (`envelope(id:keys:timestamp:)`); consumers read it back with
/// `init(envelope:)` or `decoded(from:)` and never match type strings. A test holds every declaration to the catalog's
/// schema, so a type and its schema cannot drift.
public protocol TypedEvent: Sendable, Equatable {
    static var type: String { get }
    static var version: Int { get }
    static var topic: Topic { get }
    static var requiredKeys: [EventKeys.Kind] { get }
    /// The payload as JSON, as the schema states it.
    var payload: JSONValue { get }
    /// The event a payload states; a missing or mistyped field is refused with its name.
    init(payload: PayloadReader) throws(TypedEventError)
}

extension TypedEvent {
    /// The envelope of this event.
    public func envelope(id: String, keys: EventKeys, timestamp: Int64) -> EventEnvelope {
        EventEnvelope(id: id, type: Self.type, version: Self.version, topic: Self.topic, keys: keys, timestamp: timestamp, payload: payload)
    }

    /// Whether `envelope` is this event (its type and version).
    public static func matches(_ envelope: EventEnvelope) -> Bool { envelope.type == type && envelope.version == version }

    /// The event `envelope` carries; refused when it is another event or its payload does not fit.
    public init(envelope: EventEnvelope) throws(TypedEventError) {
        guard Self.matches(envelope) else {
            throw .otherEvent(expected: "\(Self.type) v\(Self.version)", found: "\(envelope.type) v\(envelope.version)")
        }
        try self.init(payload: PayloadReader(envelope.payload, event: "\(Self.type) v\(Self.version)"))
    }

    /// The event when `envelope` is one (nil when it is another event); a payload that does not fit still throws.
    public static func decoded(from envelope: EventEnvelope) throws(TypedEventError) -> Self? {
        guard matches(envelope) else { return nil }
        return try Self(envelope: envelope)
    }
}

/// Why an envelope is not the typed event asked for.
public enum TypedEventError: Error, Equatable, Sendable, CustomStringConvertible {
    case otherEvent(expected: String, found: String)
    case notAnObject(event: String)
    case missingField(event: String, field: String)
    case wrongField(event: String, field: String, expected: String)

    public var description: String {
        switch self {
        case .otherEvent(let expected, let found): "expected \(expected), found \(found)"
        case .notAnObject(let event): "\(event): the payload is not an object"
        case .missingField(let event, let field): "\(event): missing \(field)"
        case .wrongField(let event, let field, let expected): "\(event): \(field) must be \(expected)"
        }
    }
}

/// Typed reads of a payload's fields, each failing with the field's name.
public struct PayloadReader: Sendable {
    public let value: JSONValue
    public let event: String

    public init(_ value: JSONValue, event: String) throws(TypedEventError) {
        guard case .object = value else { throw .notAnObject(event: event) }
        self.value = value
        self.event = event
    }

    public func has(_ field: String) -> Bool { value[field] != nil }

    public func member(_ field: String) throws(TypedEventError) -> JSONValue {
        guard let member = value[field] else { throw .missingField(event: event, field: field) }
        return member
    }

    public func string(_ field: String) throws(TypedEventError) -> String {
        guard let text = try member(field).stringValue else { throw .wrongField(event: event, field: field, expected: "a string") }
        return text
    }

    public func int(_ field: String) throws(TypedEventError) -> Int64 {
        guard let number = try member(field).integerValue else { throw .wrongField(event: event, field: field, expected: "an integer") }
        return number
    }

    public func count(_ field: String) throws(TypedEventError) -> UInt64 {
        guard let number = UInt64(exactly: try int(field)) else {
            throw .wrongField(event: event, field: field, expected: "a non-negative integer")
        }
        return number
    }

    public func uint256(_ field: String) throws(TypedEventError) -> UInt256 {
        do { return try UInt256(decimal: try string(field)) } catch { throw .wrongField(event: event, field: field, expected: "a decimal uint256") }
    }

    public func hash(_ field: String) throws(TypedEventError) -> Hash32 {
        do { return try Hash32(hex: try string(field)) } catch { throw .wrongField(event: event, field: field, expected: "32-byte 0x-hex") }
    }

    public func address(_ field: String) throws(TypedEventError) -> Address {
        do { return try Address(try string(field)) } catch { throw .wrongField(event: event, field: field, expected: "an address") }
    }

    public func array(_ field: String) throws(TypedEventError) -> [JSONValue] {
        guard let items = try member(field).arrayValue else { throw .wrongField(event: event, field: field, expected: "an array") }
        return items
    }

    public func bool(_ field: String) throws(TypedEventError) -> Bool {
        guard let flag = try member(field).boolValue else { throw .wrongField(event: event, field: field, expected: "a boolean") }
        return flag
    }

    public func strings(_ field: String) throws(TypedEventError) -> [String] {
        var texts: [String] = []
        for item in try array(field) {
            guard let text = item.stringValue else { throw .wrongField(event: event, field: field, expected: "an array of strings") }
            texts.append(text)
        }
        return texts
    }

    /// A nested object's reader (its fields' refusals name the same event).
    public func object(_ field: String) throws(TypedEventError) -> PayloadReader {
        do { return try PayloadReader(try member(field), event: event) } catch { throw .wrongField(event: event, field: field, expected: "an object") }
    }

    /// The readers of an array of objects.
    public func objects(_ field: String) throws(TypedEventError) -> [PayloadReader] {
        var readers: [PayloadReader] = []
        for item in try array(field) {
            guard case .object = item else { throw .wrongField(event: event, field: field, expected: "an array of objects") }
            readers.append(try PayloadReader(item, event: event))
        }
        return readers
    }

    /// A field whose absence is allowed.
    public func optional<T>(_ field: String, _ read: (String) throws(TypedEventError) -> T) throws(TypedEventError) -> T? {
        has(field) ? try read(field) : nil
    }
}
