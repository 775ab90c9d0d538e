/// Applies a compiled schema to an instance, collecting violations with their JSON Pointer paths.
struct SchemaEvaluator {
    let definitions: DefinitionTable

    func evaluate(_ node: SchemaNode, _ instance: JSONValue, path: InstancePath, into violations: inout [JSONSchemaViolation]) {
        switch node {
        case .always(true): return
        case .always(false):
            violations.append(.init(instancePath: path.rendered, keyword: "false", message: "no value is allowed here"))
        case .keywords(let keywords):
            evaluate(keywords, instance, path: path, into: &violations)
        }
    }

    private func fail(_ path: InstancePath, _ keyword: String, _ message: @autoclosure () -> String,
                      _ violations: inout [JSONSchemaViolation]) {
        violations.append(JSONSchemaViolation(instancePath: path.rendered, keyword: keyword, message: message()))
    }

    private func evaluate(_ k: SchemaKeywords, _ instance: JSONValue, path: InstancePath, into violations: inout [JSONSchemaViolation]) {
        if let ref = k.ref, let target = definitions.nodes[ref] { evaluate(target, instance, path: path, into: &violations) }
        if let types = k.types, k.typeMask & Self.typeBits(of: instance) == 0 {
            fail(path, "type", "\(instance) is not of type \(types.joined(separator: " or "))", &violations)
            return
        }
        if let values = k.enumValues, !values.contains(instance) {
            fail(path, "enum", "\(instance) is not one of \(values)", &violations)
        }
        if let constant = k.constValue, constant != instance {
            fail(path, "const", "\(instance) is not \(constant)", &violations)
        }
        switch instance {
        case .string(let text):
            // Lengths count code points; UTF-8 length bounds them (1–4 bytes each), which settles most cases cheaply.
            let bytes = text.utf8.count
            if let minimum = k.minLength, bytes < 4 * minimum, text.unicodeScalars.count < minimum {
                fail(path, "minLength", "\"\(text)\" is shorter than \(minimum)", &violations)
            }
            if let maximum = k.maxLength, bytes > maximum, text.unicodeScalars.count > maximum {
                fail(path, "maxLength", "a string is longer than \(maximum)", &violations)
            }
            if let pattern = k.pattern, !pattern.matches(text) {
                fail(path, "pattern", "\"\(text)\" does not match \(pattern.source)", &violations)
            }
        case .integer, .double:
            if let bound = k.minimum, Self.compare(instance, bound) < 0 { fail(path, "minimum", "\(instance) is less than \(bound)", &violations) }
            if let bound = k.maximum, Self.compare(instance, bound) > 0 { fail(path, "maximum", "\(instance) is more than \(bound)", &violations) }
            if let bound = k.exclusiveMinimum, Self.compare(instance, bound) <= 0 {
                fail(path, "exclusiveMinimum", "\(instance) is not more than \(bound)", &violations)
            }
            if let bound = k.exclusiveMaximum, Self.compare(instance, bound) >= 0 {
                fail(path, "exclusiveMaximum", "\(instance) is not less than \(bound)", &violations)
            }
        case .array(let items):
            if let minimum = k.minItems, items.count < minimum { fail(path, "minItems", "fewer than \(minimum) items", &violations) }
            if let maximum = k.maxItems, items.count > maximum { fail(path, "maxItems", "more than \(maximum) items", &violations) }
            if k.uniqueItems, Set(items).count != items.count { fail(path, "uniqueItems", "items are not unique", &violations) }
            if let schema = k.items {
                for (index, item) in items.enumerated() { evaluate(schema, item, path: .index(path, index), into: &violations) }
            }
        case .object(let members):
            for name in k.required where members[name] == nil {
                fail(path, "required", "'\(name)' is a required property", &violations)
            }
            var matched = 0
            for (name, schema) in k.properties {
                if let member = members[name] {
                    matched += 1
                    evaluate(schema, member, path: .member(path, name), into: &violations)
                }
            }
            // Only when some member is not a listed property is there anything for additionalProperties to see.
            if let additional = k.additionalProperties, matched < members.count {
                let known = Set(k.properties.map(\.0))
                for name in members.keys.sorted() where !known.contains(name) {
                    if case .always(false) = additional {
                        fail(path, "additionalProperties", "additional property '\(name)' is not allowed", &violations)
                    } else {
                        evaluate(additional, members[name]!, path: .member(path, name), into: &violations)
                    }
                }
            }
        default: break
        }
        for schema in k.allOf { evaluate(schema, instance, path: path, into: &violations) }
        if !k.anyOf.isEmpty, !k.anyOf.contains(where: { passes($0, instance) }) {
            fail(path, "anyOf", "\(instance) matches none of anyOf", &violations)
        }
        if !k.oneOf.isEmpty {
            let count = k.oneOf.filter { passes($0, instance) }.count
            if count != 1 { fail(path, "oneOf", "\(instance) matches \(count) of oneOf, not exactly one", &violations) }
        }
        if let not = k.not, passes(not, instance) { fail(path, "not", "\(instance) must not match the schema in not", &violations) }
    }

    private func passes(_ node: SchemaNode, _ instance: JSONValue) -> Bool {
        var violations: [JSONSchemaViolation] = []
        evaluate(node, instance, path: .root, into: &violations)
        return violations.isEmpty
    }

    /// The type bits a value satisfies: null 1, boolean 2, object 4, array 8, string 16, number 32, integer 64
    /// (an integral double is an integer too).
    static func typeBits(of value: JSONValue) -> UInt8 {
        switch value {
        case .null: 1
        case .bool: 2
        case .object: 4
        case .array: 8
        case .string: 16
        case .integer: 32 | 64
        case .double(let number): number.rounded() == number ? 32 | 64 : 32
        }
    }

    /// The bit of one JSON Schema type name (0 for an unknown name, which the compiler has refused already).
    static func typeMask(named name: String) -> UInt8 {
        switch name {
        case "null": 1
        case "boolean": 2
        case "object": 4
        case "array": 8
        case "string": 16
        case "number": 32
        case "integer": 64
        default: 0
        }
    }

    static func matches(type: String, _ value: JSONValue) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("object", .object), ("array", .array), ("string", .string): true
        case ("number", .integer), ("number", .double), ("integer", .integer): true
        case ("integer", .double(let number)): number.rounded() == number
        default: false
        }
    }

    /// −1, 0 or 1 comparing two numbers, exactly when both are integers.
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        if case .integer(let x) = a, case .integer(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
        let x = a.integerValue.map(Double.init) ?? (a.doubleValue ?? 0)
        let y = b.integerValue.map(Double.init) ?? (b.doubleValue ?? 0)
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    /// JSON Pointer escaping of one path segment: ~ → ~0, / → ~1.
    static func escape(_ name: String) -> String {
        var out = ""
        for character in name {
            switch character {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.append(character)
            }
        }
        return out
    }
}

/// Where in the instance a keyword applies, rendered as a JSON Pointer only when a violation is reported.
indirect enum InstancePath {
    case root
    case member(InstancePath, String)
    case index(InstancePath, Int)

    var rendered: String {
        switch self {
        case .root: ""
        case .member(let parent, let name): parent.rendered + "/" + SchemaEvaluator.escape(name)
        case .index(let parent, let index): parent.rendered + "/" + String(index)
        }
    }
}

extension JSONValue {
    var doubleValue: Double? { if case .double(let value) = self { value } else { nil } }
}
