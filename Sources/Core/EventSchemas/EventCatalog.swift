public import EventModel
public import JSONCore

/// One event type at one schema version: its topic, the keys it must carry and its payload schema.
public struct EventDefinition: Sendable {
    public let type: String
    public let version: Int
    public let topic: Topic
    public let requiredKeys: [EventKeys.Kind]
    public let summary: String
    /// The payload schema without the shared `$defs` (see `document`).
    let payload: JSONValue

    /// The published JSON Schema (2020-12) document: `Schemas/<type>.v<version>.schema.json`.
    public var document: JSONValue {
        guard case .object(var object) = payload else { return payload }
        object["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        object["$id"] = .string("urn:streamflow:schema:\(type):v\(version)")
        object["title"] = .string("\(type) v\(version) payload")
        object["description"] = .string(summary + " Topic: \(topic.rawValue); required keys: "
            + (requiredKeys.isEmpty ? "none" : requiredKeys.map(\.rawValue).joined(separator: ", ")) + ".")
        object["$defs"] = Schema.definitions
        return .object(object)
    }

    /// The file name under Schemas/.
    public var fileName: String { "\(type).v\(version).schema.json" }
}

/// Every event type the code writes, with its current schema. The single source of the Schemas/ files.
public enum EventCatalog {
    public static let definitions: [EventDefinition] =
        NegotiationEvents.all + SegmentEvents.all + TicketEvents.all + VerificationEvents.all
        + SettlementEvents.all + TranscoderEvents.all + FleetEvents.all + LogEvents.all

    private static let byKey: [String: EventDefinition] = Dictionary(
        uniqueKeysWithValues: definitions.map { ("\($0.type)@\($0.version)", $0) })

    /// The definition of `type` at `version`, if there is one.
    public static func definition(type: String, version: Int) -> EventDefinition? { byKey["\(type)@\(version)"] }

    /// The latest version of `type`, if the type exists.
    public static func latest(type: String) -> EventDefinition? {
        definitions.filter { $0.type == type }.max { $0.version < $1.version }
    }
}
