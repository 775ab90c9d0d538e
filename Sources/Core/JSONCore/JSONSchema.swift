/// Why a schema document could not be compiled.
public enum JSONSchemaError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedKeyword(String, path: String)
    case invalid(String, path: String)

    public var description: String {
        switch self {
        case .unsupportedKeyword(let keyword, let path): "unsupported schema keyword \(keyword) at \(path)"
        case .invalid(let reason, let path): "invalid schema at \(path): \(reason)"
        }
    }
}

/// One way an instance fails its schema: where (a JSON Pointer), which keyword, and why.
public struct JSONSchemaViolation: Sendable, Equatable, CustomStringConvertible {
    public let instancePath: String
    public let keyword: String
    public let message: String
    public var description: String { "\(instancePath.isEmpty ? "/" : instancePath): \(message)" }
}

/// A JSON Schema (draft 2020-12) compiled once and applied many times. Supports the keywords the
/// project's schemas use (type, properties, required, additionalProperties, enum, const, pattern,
/// string/number/array bounds, items, uniqueItems, allOf/anyOf/oneOf/not, local $ref/$defs);
/// any other keyword is refused at load so a typo cannot silently weaken a schema.
public struct JSONSchema: Sendable {
    let root: SchemaNode
    let definitions: DefinitionTable

    public init(_ document: JSONValue) throws(JSONSchemaError) {
        let table = DefinitionTable()
        if case .object(let members) = document, case .object(let defs)? = members["$defs"] {
            for (name, definition) in defs {
                table.nodes["#/$defs/\(name)"] = try SchemaCompiler.compile(definition, path: "/$defs/\(name)")
            }
        }
        root = try SchemaCompiler.compile(document, path: "")
        table.nodes["#"] = root
        definitions = table
        try SchemaCompiler.checkReferences(root, table: table, path: "")
        for (name, node) in table.nodes { try SchemaCompiler.checkReferences(node, table: table, path: name) }
    }

    /// Every violation (empty when the instance is valid).
    public func validate(_ instance: JSONValue) -> [JSONSchemaViolation] {
        var violations: [JSONSchemaViolation] = []
        SchemaEvaluator(definitions: definitions).evaluate(root, instance, path: .root, into: &violations)
        return violations
    }

    public func isValid(_ instance: JSONValue) -> Bool { validate(instance).isEmpty }
}

/// The compiled $defs, looked up by "#/$defs/name" when a $ref is followed.
final class DefinitionTable: @unchecked Sendable {
    // @unchecked: filled during `JSONSchema.init`, read-only afterwards.
    var nodes: [String: SchemaNode] = [:]
}

/// A compiled schema: true, false, or keywords.
indirect enum SchemaNode: Sendable {
    case always(Bool)
    case keywords(SchemaKeywords)
}

/// A class, not a struct: evaluation passes it around constantly, and copying ~20 fields (many reference
/// counted) per visit cost more than the checks themselves. Filled by the compiler, read-only afterwards.
final class SchemaKeywords: @unchecked Sendable {
    var types: [String]?
    /// `types` as a bit set of JSON types (see `SchemaEvaluator.typeBit`), so a type check compares no strings.
    var typeMask: UInt8 = 0
    var properties: [(String, SchemaNode)] = []
    var required: [String] = []
    /// For evaluation over a tape (`TapeEvaluator`), set by `prepareForTapes`: the properties sorted by the bytes
    /// of their UTF-8 names (the order of a canonical object's members), whether each is required, how many
    /// distinct required names are properties, and the required names that are not.
    private(set) var tapeProperties: [(name: [UInt8], node: SchemaNode, required: Bool)] = []
    private(set) var requiredPropertyCount = 0
    private(set) var requiredElsewhere: [[UInt8]] = []
    var additionalProperties: SchemaNode?
    var enumValues: [JSONValue]?
    var constValue: JSONValue?
    var pattern: PatternMatcher?
    var minLength: Int?, maxLength: Int?
    var minimum: JSONValue?, maximum: JSONValue?, exclusiveMinimum: JSONValue?, exclusiveMaximum: JSONValue?
    var items: SchemaNode?
    var minItems: Int?, maxItems: Int?
    var uniqueItems = false
    var allOf: [SchemaNode] = [], anyOf: [SchemaNode] = [], oneOf: [SchemaNode] = []
    var not: SchemaNode?
    var ref: String?

    func prepareForTapes() {
        let requiredNames = Set(required)
        tapeProperties = properties.map { (Array($0.0.utf8), $0.1, requiredNames.contains($0.0)) }
            .sorted { $0.name.lexicographicallyPrecedes($1.name) }
        let propertyNames = Set(properties.map(\.0))
        requiredPropertyCount = requiredNames.intersection(propertyNames).count
        requiredElsewhere = requiredNames.subtracting(propertyNames).sorted().map { Array($0.utf8) }
    }
}
