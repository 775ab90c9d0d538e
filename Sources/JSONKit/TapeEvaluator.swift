/// Applies a compiled schema to a value on a `CanonicalTape`, answering only "valid or not": no tree is
/// built and no violation is described. When it answers "not", the caller validates the parsed value with
/// `SchemaEvaluator` for the reasons (refusals are rare; the verdicts agree, which the tests check).
struct TapeEvaluator {
    let definitions: DefinitionTable
    let tape: CanonicalTape

    func passes(_ node: SchemaNode, _ index: Int) -> Bool {
        switch node {
        case .always(let verdict): verdict
        case .keywords(let keywords): passes(keywords, index)
        }
    }

    private func passes(_ k: SchemaKeywords, _ index: Int) -> Bool {
        if let ref = k.ref, let target = definitions.nodes[ref], !passes(target, index) { return false }
        let node = tape.nodes[index]
        if k.types != nil, k.typeMask & Self.typeBits(node.kind) == 0 { return false }
        if let values = k.enumValues, !values.contains(where: { equals(index, $0) }) { return false }
        if let constant = k.constValue, !equals(index, constant) { return false }
        switch node.kind {
        case .string, .escapedString:
            if k.minLength != nil || k.maxLength != nil {
                let length = scalarCount(index)
                if let minimum = k.minLength, length < minimum { return false }
                if let maximum = k.maxLength, length > maximum { return false }
            }
            if let pattern = k.pattern, !matches(pattern, index) { return false }
        case .integer:
            let value = JSONValue.integer(node.integer)
            if let bound = k.minimum, SchemaEvaluator.compare(value, bound) < 0 { return false }
            if let bound = k.maximum, SchemaEvaluator.compare(value, bound) > 0 { return false }
            if let bound = k.exclusiveMinimum, SchemaEvaluator.compare(value, bound) <= 0 { return false }
            if let bound = k.exclusiveMaximum, SchemaEvaluator.compare(value, bound) >= 0 { return false }
        case .array:
            let count = Int(node.count)
            if let minimum = k.minItems, count < minimum { return false }
            if let maximum = k.maxItems, count > maximum { return false }
            if k.uniqueItems, let items = tape.value(at: index).arrayValue, Set(items).count != items.count { return false }
            if let schema = k.items {
                var child = index + 1
                for _ in 0..<count {
                    guard passes(schema, child) else { return false }
                    child = Int(tape.nodes[child].after)
                }
            }
        case .object:
            if !objectPasses(k, index) { return false }
        default: break
        }
        for schema in k.allOf where !passes(schema, index) { return false }
        if !k.anyOf.isEmpty, !k.anyOf.contains(where: { passes($0, index) }) { return false }
        if !k.oneOf.isEmpty, k.oneOf.filter({ passes($0, index) }).count != 1 { return false }
        if let not = k.not, passes(not, index) { return false }
        return true
    }

    /// required, properties and additionalProperties.
    private func objectPasses(_ k: SchemaKeywords, _ index: Int) -> Bool {
        let count = Int(tape.nodes[index].count)
        for name in k.requiredBytes where memberKey(named: name, in: index, count: count) == nil { return false }
        var key = index + 1
        for _ in 0..<count {
            let value = key + 1
            if let property = k.propertyBytes.firstIndex(where: { name in keyEquals(key, name) }) {
                guard passes(k.properties[property].1, value) else { return false }
            } else if let additional = k.additionalProperties, !passes(additional, value) {
                return false
            }
            key = Int(tape.nodes[value].after)
        }
        return true
    }

    private func memberKey(named name: [UInt8], in index: Int, count: Int) -> Int? {
        var key = index + 1
        for _ in 0..<count {
            if keyEquals(key, name) { return key }
            key = Int(tape.nodes[key + 1].after)
        }
        return nil
    }

    private func keyEquals(_ index: Int, _ name: [UInt8]) -> Bool {
        name.withUnsafeBufferPointer { tape.keyEquals(index, $0) }
    }

    /// Whether the value at `index` equals `value` as JSONValue's == would judge the parsed value.
    private func equals(_ index: Int, _ value: JSONValue) -> Bool {
        let node = tape.nodes[index]
        switch (node.kind, value) {
        case (.null, .null): return true
        case (.falseValue, .bool(false)), (.trueValue, .bool(true)): return true
        case (.integer, .integer(let number)): return node.integer == number
        case (.string, .string(let text)):
            var text = text
            return text.withUTF8 { tape.keyEquals(index, $0) }
        case (.escapedString, .string(let text)): return tape.string(at: index) == text
        case (.array, .array), (.object, .object): return tape.value(at: index) == value
        default: return false
        }
    }

    /// Code points in the string at `index` (JSON Schema's length).
    private func scalarCount(_ index: Int) -> Int {
        let node = tape.nodes[index]
        if node.kind == .escapedString { return tape.string(at: index)?.unicodeScalars.count ?? 0 }
        return tape.bytes.withUnsafeBufferPointer { buffer in
            var count = 0
            for position in Int(node.start) + 1..<Int(node.end) - 1 where buffer[position] & 0xC0 != 0x80 { count += 1 }
            return count
        }
    }

    private func matches(_ pattern: PatternMatcher, _ index: Int) -> Bool {
        let node = tape.nodes[index]
        if node.kind == .string, let verdict = tape.bytes.withUnsafeBufferPointer({ buffer in
            pattern.matches(utf8: UnsafeBufferPointer(rebasing: buffer[Int(node.start) + 1..<Int(node.end) - 1]))
        }) {
            return verdict
        }
        return pattern.matches(tape.string(at: index) ?? "")
    }

    /// As `SchemaEvaluator.typeBits`: tapes hold integers only, never doubles.
    static func typeBits(_ kind: TapeNode.Kind) -> UInt8 {
        switch kind {
        case .null: 1
        case .falseValue, .trueValue: 2
        case .object: 4
        case .array: 8
        case .string, .escapedString: 16
        case .integer: 32 | 64
        }
    }
}

extension JSONSchema {
    /// Whether the value at `index` on `tape` is valid: the same verdict as `isValid` on the parsed value,
    /// reached without building it.
    public func isValid(_ tape: CanonicalTape, at index: Int) -> Bool {
        TapeEvaluator(definitions: definitions, tape: tape).passes(root, index)
    }
}
