import Foundation

/// Encodes any Encodable into a JSONValue (through Foundation's JSONEncoder and the strict parser).
public struct JSONValueEncoder: Sendable {
    public init() {}
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try JSONParser.parse(Array(encoder.encode(value)))
    }
}

/// Decodes any Decodable from a JSONValue (through its canonical bytes and Foundation's JSONDecoder).
public struct JSONValueDecoder: Sendable {
    public init() {}
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONDecoder().decode(type, from: Data(CanonicalJSON.encode(value)))
    }
}
