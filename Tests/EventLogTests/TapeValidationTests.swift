import EventLog
import EventModel
import EventSchemas
import JSONCore
import Scenarios
import Testing

/// Validation on a canonical tape (the log sink's fast path) must refuse exactly what validation of the parsed
/// payload refuses, with the same reason, for every schema in the catalog.
struct TapeValidationTests {
    static let replacements: [JSONValue] = [
        .null, true, false, 0, -1, 1, 1_099_511_627_776, .integer(.max), "", "x", "0x", "0x00", "0xAB", "0x3badDb1eeE2105893136A3F96c8a963E9C6309d6",
        "12345", "0123", "tab\there", "é😀", [], [1], ["x"], [:], ["k": 1],
    ]

    /// Payloads for one definition: the reference scenario's own, then each with a member dropped, replaced or added.
    static func payloads(for definition: EventDefinition, samples: [JSONValue]) -> [JSONValue] {
        var names = Set<String>()
        if case .object(let members)? = definition.document["properties"] { names.formUnion(members.keys) }
        let bases = samples.isEmpty ? [JSONValue.object([:])] : samples
        var out = bases
        for case .object(let base) in bases.prefix(2) {
            names.formUnion(base.keys)
            for name in names.sorted() {
                var dropped = base
                dropped[name] = nil
                out.append(.object(dropped))
                for replacement in replacements {
                    var changed = base
                    changed[name] = replacement
                    out.append(.object(changed))
                }
            }
            var extra = base
            extra["unexpected"] = 1
            out.append(.object(extra))
        }
        return out
    }

    @Test func tapeVerdictsEqualTreeVerdictsForEveryCatalogSchema() throws {
        let reference = try ReferenceScenario.events()
        var checked = 0, refused = 0
        for definition in EventCatalog.definitions {
            let samples = reference.filter { $0.type == definition.type && $0.version == definition.version }
            let keys = samples.first?.keys ?? EventKeys(stream: "s", session: "x", orchestrator: "o", sender: "z")
            let header = EventHeader(id: "e", type: definition.type, version: definition.version, topic: definition.topic,
                                     keys: keys, timestamp: 1)
            for payload in Self.payloads(for: definition, samples: samples.map(\.payload)) {
                guard let bytes = try? CanonicalJSON.encode(payload), let tape = CanonicalTape(bytes) else { continue }
                let tree = Result { () throws(EventRejection) -> Bool in
                    try EventValidator.shared.validate(EventEnvelope(header: header, payload: payload))
                    return true
                }
                let onTape = Result { () throws(EventRejection) -> Bool in
                    try EventValidator.shared.validate(header, payload: tape, at: 0)
                    return true
                }
                #expect(tree == onTape, "\(definition.fileName): \(payload)")
                checked += 1
                if case .failure = tree { refused += 1 }
            }
        }
        #expect(checked > 2_000 && refused > 500 && checked - refused > 200, "\(checked) checked, \(refused) refused")
    }
}
