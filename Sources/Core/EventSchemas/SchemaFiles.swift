public import JSONCore

/// The files under Schemas/: one per event type and version, plus the export-line envelope.
/// `streamflow schemas write DIR` writes them; a test checks the committed ones are current.
public enum SchemaFiles {
    /// The JSON Schema of one line of `streamflow replay export` (the envelope around a payload).
    public static let exportLine: JSONValue = [
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:streamflow:schema:export-line:v1",
        "title": "one event in a Streamflow log export (JSON Lines)",
        "description": "hash = keccak256(content ‖ u64(seq) ‖ previousHash); content is defined in docs/EVENT-LOG.md.",
        "type": "object",
        "properties": [
            "seq": ["type": "integer", "minimum": 1],
            "id": Schema.identifier,
            "type": ["type": "string", "pattern": "^[a-z]+(\\.[a-z-]+)+$"],
            "version": ["type": "integer", "minimum": 1],
            "topic": .object(["type": "string", "enum": .array(["negotiation", "segments", "tickets", "transcode-results",
                                                                "verification", "settlement", "transcoders", "dead-letter"])]),
            "keys": Schema.object(["stream": Schema.identifier, "session": Schema.identifier,
                                   "orchestrator": Schema.identifier, "sender": Schema.identifier], required: []),
            "timestamp": ["type": "integer"],
            "payload": ["type": "object"],
            "previousHash": Schema.hash32,
            "hash": Schema.hash32,
        ],
        "required": ["seq", "id", "type", "version", "topic", "keys", "timestamp", "payload", "previousHash", "hash"],
        "additionalProperties": false,
        "$defs": Schema.definitions,
    ]

    /// Every file: (name, pretty-printed text ending in a newline).
    public static func all() -> [(name: String, text: String)] {
        var files = EventCatalog.definitions.map { ($0.fileName, PrettyJSON.render($0.document)) }
        files.append(("export-line.v1.schema.json", PrettyJSON.render(exportLine)))
        return files.sorted { $0.0 < $1.0 }
    }
}

/// Deterministic pretty JSON for files people read: sorted keys, two-space indent.
public enum PrettyJSON {
    public static func render(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        return out + "\n"
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        switch value {
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (index, key) in keys.enumerated() {
                out += pad + scalar(.string(key)) + ": "
                write(members[key]!, indent: indent + 1, into: &out)
                out += index == keys.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                write(item, indent: indent + 1, into: &out)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        default:
            out += scalar(value)
        }
    }

    private static func scalar(_ value: JSONValue) -> String {
        if case .double(let number) = value { return "\(number)" }
        return (try? CanonicalJSON.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
