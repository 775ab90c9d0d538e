public import JSONCore

/// The keys as JSON (export lines, bus messages, the chain's outbox): an object of the present keys by kind name.
extension EventKeys {
    public var jsonObject: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: present.map { ($0.kind.rawValue, JSONValue.string($0.value)) }))
    }

    /// The keys a JSON object names; every member must be a known kind with a string value.
    public init(jsonObject value: JSONValue) throws(EventKeysJSONError) {
        guard case .object(let members) = value else { throw EventKeysJSONError(description: "keys must be an object") }
        self.init()
        for (name, member) in members {
            guard let kind = Kind(rawValue: name), let text = member.stringValue else {
                throw EventKeysJSONError(description: "keys.\(name) is not a known key with a string value")
            }
            self[kind] = text
        }
    }
}

/// Why a JSON value is not an event's keys.
public struct EventKeysJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
}
