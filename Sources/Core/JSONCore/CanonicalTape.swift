/// A flat index over JSON text that is exactly canonical (the bytes `CanonicalJSON` writes for what
/// `JSONParser` reads): one node per value in document order, each knowing where its subtree ends.
/// Text in any other form gets no tape, and callers take the parse-and-re-encode path; so a tape's
/// bytes can be stored as they are, and nothing about a value is allocated per node.
public struct CanonicalTape: Sendable {
    public let bytes: [UInt8]
    public let nodes: [TapeNode]

    /// The tape of `bytes`, or nil when they are not canonical JSON (or not JSON at all).
    public init?(_ bytes: [UInt8]) {
        guard bytes.count < Int32.max else { return nil }
        var nodes: [TapeNode] = []
        let ok = bytes.withUnsafeBufferPointer { buffer in
            var scanner = CanonicalScanner(bytes: buffer)
            let ok = scanner.value(depth: 0) && scanner.offset == buffer.count
            nodes = scanner.nodes
            return ok
        }
        guard ok else { return nil }
        self.bytes = bytes
        self.nodes = nodes
    }

    /// The bytes of the value at `index` (for a string, with its quotes).
    public func range(of index: Int) -> Range<Int> { Int(nodes[index].start)..<Int(nodes[index].end) }

    /// The member value of the object at `index` named `name`, if present.
    public func member(_ name: StaticString, of index: Int) -> Int? {
        member(named: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), of: index)
    }

    /// The member value of the object at `index` whose key has exactly the UTF-8 bytes `name`, if present.
    func member(named name: UnsafeBufferPointer<UInt8>, of index: Int) -> Int? {
        guard nodes[index].kind == .object else { return nil }
        var key = index + 1
        for _ in 0..<nodes[index].count {
            if keyEquals(key, name) { return key + 1 }
            key = Int(nodes[key + 1].after)
        }
        return nil
    }

    /// Whether the string at `index` (a key, or an unescaped string) has exactly these UTF-8 bytes.
    func keyEquals(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let node = nodes[index]
        guard node.kind == .string, node.text.count == key.count else { return false }
        return bytes.withUnsafeBufferPointer { ByteOrder.compare(UnsafeBufferPointer(rebasing: $0[node.text]), key) == 0 }
    }

    /// The text of the string at `index` (escapes decoded); nil for other kinds.
    public func string(at index: Int) -> String? {
        let node = nodes[index]
        switch node.kind {
        case .string:
            return bytes.withUnsafeBufferPointer { buffer in
                String(decoding: UnsafeBufferPointer(rebasing: buffer[node.text]), as: UTF8.self)
            }
        case .escapedString: return value(at: index).stringValue
        default: return nil
        }
    }

    /// The value at `index` as a tree (for the rare checks that need one).
    public func value(at index: Int) -> JSONValue {
        // The bytes were checked as canonical JSON, so they parse.
        (try? JSONParser.parse(bytes[range(of: index)])) ?? .null
    }
}

/// One value on a tape. For an object, its children alternate key node, value subtree.
public struct TapeNode: Sendable {
    public enum Kind: UInt8, Sendable {
        case null, falseValue, trueValue, integer, string, escapedString, array, object
    }

    public let kind: Kind
    /// First byte (a string's opening quote) and one past the last.
    public let start: Int32
    public internal(set) var end: Int32
    /// The index of the node after this subtree.
    public internal(set) var after: Int32
    /// Items of an array, members of an object.
    public internal(set) var count: Int32
    /// The value of an integer.
    public let integer: Int64

    /// A string's bytes between its quotes (escapes as written).
    public var text: Range<Int> { Int(start) + 1..<Int(end) - 1 }
}
