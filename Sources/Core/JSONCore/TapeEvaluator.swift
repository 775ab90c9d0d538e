/// Applies a compiled schema to a value on a `CanonicalTape`, answering only "valid or not": no tree is
/// built and no violation is described. When it answers "not", the caller validates the parsed value with
/// `SchemaEvaluator` for the reasons (refusals are rare; the verdicts agree, which the tests check).
struct TapeEvaluator {
    let definitions: DefinitionTable
    let tape: CanonicalTape
    /// The tape's storage, borrowed for the evaluation (no bounds checks or reference counting per node).
    let bytes: UnsafeBufferPointer<UInt8>
    let nodes: UnsafeBufferPointer<TapeNode>

    func passes(_ node: SchemaNode, _ index: Int) -> Bool {
        switch node {
        case .always(let verdict): verdict
        case .keywords(let keywords): passes(keywords, index)
        }
    }

    private func passes(_ k: SchemaKeywords, _ index: Int) -> Bool {
        if let ref = k.ref, let target = definitions.nodes[ref], !passes(target, index) { return false }
        let node = nodes[index]
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
                    child = Int(nodes[child].after)
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

    /// required, properties and additionalProperties: the members and the properties are both in byte order of
    /// their names, so one merged walk pairs them.
    private func objectPasses(_ k: SchemaKeywords, _ index: Int) -> Bool {
        let count = Int(nodes[index].count)
        let properties = k.tapeProperties
        var property = 0
        var requiredSeen = 0
        var key = index + 1
        for _ in 0..<count {
            let value = key + 1
            let name = UnsafeBufferPointer(rebasing: bytes[nodes[key].text])
            var order = 1
            while property < properties.count {
                order = properties[property].name.withUnsafeBufferPointer { ByteOrder.compare($0, name) }
                if order >= 0 { break }
                property += 1
            }
            if order == 0 {
                guard passes(properties[property].node, value) else { return false }
                if properties[property].required { requiredSeen += 1 }
                property += 1
            } else if let additional = k.additionalProperties, !passes(additional, value) {
                return false
            }
            key = Int(nodes[value].after)
        }
        guard requiredSeen == k.requiredPropertyCount else { return false }
        for name in k.requiredElsewhere where name.withUnsafeBufferPointer({ tape.member(named: $0, of: index) }) == nil {
            return false
        }
        return true
    }

    /// Whether the value at `index` equals `value` as JSONValue's == would judge the parsed value.
    private func equals(_ index: Int, _ value: JSONValue) -> Bool {
        let node = nodes[index]
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
        let node = nodes[index]
        if node.kind == .escapedString { return tape.string(at: index)?.unicodeScalars.count ?? 0 }
        var count = 0
        for position in node.text where bytes[position] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    private func matches(_ pattern: PatternMatcher, _ index: Int) -> Bool {
        let node = nodes[index]
        if node.kind == .string,
           let verdict = pattern.matches(utf8: UnsafeBufferPointer(rebasing: bytes[node.text])) {
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
        tape.bytes.withUnsafeBufferPointer { bytes in
            tape.nodes.withUnsafeBufferPointer { nodes in
                TapeEvaluator(definitions: definitions, tape: tape, bytes: bytes, nodes: nodes).passes(root, index)
            }
        }
    }
}
