/// Turns a schema document into `SchemaNode`s, refusing keywords it does not support.
enum SchemaCompiler {
    static let annotations: Set<String> = [
        "$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default", "format", "readOnly",
        "deprecated",
    ]
    static let typeNames: Set<String> = ["null", "boolean", "object", "array", "number", "string", "integer"]

    static func compile(_ document: JSONValue, path: String) throws(JSONSchemaError) -> SchemaNode {
        if case .bool(let value) = document { return .always(value) }
        guard case .object(let members) = document else { throw .invalid("a schema must be an object or a boolean", path: path) }
        var keywords = KeywordDraft()
        for (name, value) in members {
            let here = "\(path)/\(name)"
            switch name {
            case _ where annotations.contains(name): continue
            case "type":
                let names: [String]
                if let single = value.stringValue { names = [single] } else if let list = value.arrayValue {
                    names = try list.map { item throws(JSONSchemaError) in
                        guard let text = item.stringValue else { throw .invalid("type names must be strings", path: here) }
                        return text
                    }
                } else { throw .invalid("type must be a string or an array", path: here) }
                guard names.allSatisfy(typeNames.contains) else { throw .invalid("unknown type in \(names)", path: here) }
                keywords.types = names
                keywords.typeMask = names.reduce(0) { $0 | SchemaEvaluator.typeMask(named: $1) }
            case "properties":
                guard case .object(let properties) = value else { throw .invalid("properties must be an object", path: here) }
                for key in properties.keys.sorted() {
                    keywords.properties.append((key, try compile(properties[key]!, path: "\(here)/\(key)")))
                }
            case "required":
                guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw .invalid("required must be an array of strings", path: here)
                }
                keywords.required = list.compactMap(\.stringValue)
            case "additionalProperties": keywords.additionalProperties = try compile(value, path: here)
            case "enum":
                guard let list = value.arrayValue else { throw .invalid("enum must be an array", path: here) }
                keywords.enumValues = list
            case "const": keywords.constValue = value
            case "pattern":
                guard let text = value.stringValue else { throw .invalid("pattern must be a string", path: here) }
                keywords.pattern = try PatternMatcher(text, path: here)
            case "minLength": keywords.minLength = try count(value, here)
            case "maxLength": keywords.maxLength = try count(value, here)
            case "minItems": keywords.minItems = try count(value, here)
            case "maxItems": keywords.maxItems = try count(value, here)
            case "minimum": keywords.minimum = try number(value, here)
            case "maximum": keywords.maximum = try number(value, here)
            case "exclusiveMinimum": keywords.exclusiveMinimum = try number(value, here)
            case "exclusiveMaximum": keywords.exclusiveMaximum = try number(value, here)
            case "items": keywords.items = try compile(value, path: here)
            case "uniqueItems":
                guard let flag = value.boolValue else { throw .invalid("uniqueItems must be a boolean", path: here) }
                keywords.uniqueItems = flag
            case "allOf": keywords.allOf = try list(value, here)
            case "anyOf": keywords.anyOf = try list(value, here)
            case "oneOf": keywords.oneOf = try list(value, here)
            case "not": keywords.not = try compile(value, path: here)
            case "$ref":
                guard let reference = value.stringValue, reference == "#" || reference.hasPrefix("#/$defs/") else {
                    throw .invalid("only local references (# and #/$defs/…) are supported", path: here)
                }
                keywords.ref = reference
            default:
                throw .unsupportedKeyword(name, path: path.isEmpty ? "/" : path)
            }
        }
        return .keywords(SchemaKeywords(keywords))
    }

    /// Every $ref must name a definition that exists.
    static func checkReferences(_ node: SchemaNode, table: DefinitionTable, path: String) throws(JSONSchemaError) {
        guard case .keywords(let keywords) = node else { return }
        if let ref = keywords.ref, table.nodes[ref] == nil { throw .invalid("unresolved $ref \(ref)", path: path) }
        var children = keywords.properties.map(\.1) + keywords.allOf + keywords.anyOf + keywords.oneOf
        children += [keywords.additionalProperties, keywords.items, keywords.not].compactMap { $0 }
        for child in children { try checkReferences(child, table: table, path: path) }
    }

    private static func count(_ value: JSONValue, _ path: String) throws(JSONSchemaError) -> Int {
        guard let number = value.integerValue, number >= 0 else { throw .invalid("must be a non-negative integer", path: path) }
        return Int(number)
    }

    private static func number(_ value: JSONValue, _ path: String) throws(JSONSchemaError) -> JSONValue {
        switch value {
        case .integer, .double: return value
        default: throw .invalid("must be a number", path: path)
        }
    }

    private static func list(_ value: JSONValue, _ path: String) throws(JSONSchemaError) -> [SchemaNode] {
        guard let items = value.arrayValue, !items.isEmpty else { throw .invalid("must be a non-empty array", path: path) }
        var nodes: [SchemaNode] = []
        for (index, item) in items.enumerated() { nodes.append(try compile(item, path: "\(path)/\(index)")) }
        return nodes
    }
}
