import JSONCore

/// Projection state is stored as canonical JSON: sorted keys, exact integers, no whitespace, so
/// equal states are equal bytes.
public enum ProjectionCoding {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try CanonicalJSON.encode(JSONValueEncoder().encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONValueDecoder().decode(type, from: JSONParser.parse(bytes))
    }
}
