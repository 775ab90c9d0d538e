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
        var nodes: [String: SchemaNode] = [:]
        if case .object(let members) = document, case .object(let defs)? = members["$defs"] {
            for (name, definition) in defs {
                nodes["#/$defs/\(name)"] = try SchemaCompiler.compile(definition, path: "/$defs/\(name)")
            }
        }
        root = try SchemaCompiler.compile(document, path: "")
        nodes["#"] = root
        let table = DefinitionTable(nodes: nodes)
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
final class DefinitionTable: Sendable {
    let nodes: [String: SchemaNode]
    init(nodes: [String: SchemaNode]) { self.nodes = nodes }
}

/// A compiled schema: true, false, or keywords.
indirect enum SchemaNode: Sendable {
    case always(Bool)
    case keywords(SchemaKeywords)
}

/// The keywords of one schema object as the compiler collects them (see `SchemaKeywords`).
struct KeywordDraft {
    var types: [String]?
    /// `types` as a bit set of JSON types (see `SchemaEvaluator.typeBit`), so a type check compares no strings.
    var typeMask: UInt8 = 0
    var properties: [(String, SchemaNode)] = []
    var required: [String] = []
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
}

/// A class, not a struct: evaluation passes it around constantly, and copying ~20 fields (many reference
/// counted) per visit cost more than the checks themselves. Built once from a `KeywordDraft`, immutable.
final class SchemaKeywords: Sendable {
    let types: [String]?
    /// `types` as a bit set of JSON types (see `SchemaEvaluator.typeBit`), so a type check compares no strings.
    let typeMask: UInt8
    let properties: [(String, SchemaNode)]
    let required: [String]
    /// For evaluation over a tape (`TapeEvaluator`): the properties sorted by the bytes of their UTF-8 names
    /// (the order of a canonical object's members), whether each is required, how many distinct required
    /// names are properties, and the required names that are not.
    let tapeProperties: [(name: [UInt8], node: SchemaNode, required: Bool)]
    let requiredPropertyCount: Int
    let requiredElsewhere: [[UInt8]]
    let additionalProperties: SchemaNode?
    let enumValues: [JSONValue]?
    let constValue: JSONValue?
    let pattern: PatternMatcher?
    let minLength: Int?, maxLength: Int?
    let minimum: JSONValue?, maximum: JSONValue?, exclusiveMinimum: JSONValue?, exclusiveMaximum: JSONValue?
    let items: SchemaNode?
    let minItems: Int?, maxItems: Int?
    let uniqueItems: Bool
    let allOf: [SchemaNode], anyOf: [SchemaNode], oneOf: [SchemaNode]
    let not: SchemaNode?
    let ref: String?

    init(_ draft: KeywordDraft) {
        types = draft.types
        typeMask = draft.typeMask
        properties = draft.properties
        required = draft.required
        additionalProperties = draft.additionalProperties
        enumValues = draft.enumValues
        constValue = draft.constValue
        pattern = draft.pattern
        minLength = draft.minLength
        maxLength = draft.maxLength
        minimum = draft.minimum
        maximum = draft.maximum
        exclusiveMinimum = draft.exclusiveMinimum
        exclusiveMaximum = draft.exclusiveMaximum
        items = draft.items
        minItems = draft.minItems
        maxItems = draft.maxItems
        uniqueItems = draft.uniqueItems
        allOf = draft.allOf
        anyOf = draft.anyOf
        oneOf = draft.oneOf
        not = draft.not
        ref = draft.ref
        let requiredNames = Set(draft.required)
        tapeProperties = draft.properties.map { (Array($0.0.utf8), $0.1, requiredNames.contains($0.0)) }
            .sorted { $0.name.lexicographicallyPrecedes($1.name) }
        let propertyNames = Set(draft.properties.map(\.0))
        requiredPropertyCount = requiredNames.intersection(propertyNames).count
        requiredElsewhere = requiredNames.subtracting(propertyNames).sorted().map { Array($0.utf8) }
    }
}
