import EventModel
import JSONCore
import Testing

/// The one envelope codec (`EnvelopeJSON`): what the bus, export lines and the chain's outbox write is canonical and
/// reads back to the same envelope; everything malformed is refused with a typed reason, nothing dropped.
@Suite("envelope JSON")
struct EnvelopeJSONTests {
    static func envelope(_ random: inout SplitMix64) -> EventEnvelope {
        let text = { (random: inout SplitMix64) in String((0..<(1 + random.below(12))).map { _ in "aé\"\\ z09-/\u{1F600}".randomElement(using: &random)! }) }
        var keys = EventKeys()
        for kind in EventKeys.Kind.allCases where random.below(2) == 0 { keys[kind] = text(&random) }
        let payload: JSONValue = ["n": .integer(Int64(bitPattern: random.next())), "s": .string(text(&random)),
                                  "list": .array([.bool(random.below(2) == 0), .null, ["nested": .string(text(&random))]])]
        return EventEnvelope(id: text(&random), type: "t." + text(&random), version: 1 + random.below(5),
                             topic: Topic.allCases.randomElement(using: &random)!, keys: keys,
                             timestamp: Int64(bitPattern: random.next()), payload: payload)
    }

    @Test("500 random envelopes: the streamed bytes are CanonicalJSON of the object, and decode back to the envelope")
    func roundTrip() throws {
        var random = SplitMix64(seed: 20)
        var batch: [EventEnvelope] = []
        for _ in 0..<500 {
            let envelope = Self.envelope(&random)
            let bytes = try EnvelopeJSON.encode(envelope)
            #expect(bytes == (try CanonicalJSON.encode(EnvelopeJSON.object(envelope))))
            #expect(try EnvelopeJSON.decode(bytes: bytes) == envelope)
            batch.append(envelope)
        }
        #expect(try EnvelopeJSON.decodeArray(bytes: try EnvelopeJSON.encodeArray(batch)) == batch)
    }

    @Test("every malformed envelope is refused with its typed reason")
    func refusals() throws {
        let good = EnvelopeJSON.object(EventEnvelope(id: "e1", type: "ticket.won", version: 1, topic: .tickets,
                                                     keys: EventKeys(sender: "0xabc"), timestamp: 5, payload: ["a": 1]))
        func edited(_ change: (inout [String: JSONValue]) -> Void) -> JSONValue {
            guard case .object(var members) = good else { return good }
            change(&members)
            return .object(members)
        }
        let cases: [(JSONValue, EnvelopeDecodingError)] = [
            (.array([]), .notAnObject),
            (edited { $0["id"] = nil }, .missingField("id")),
            (edited { $0["payload"] = nil }, .missingField("payload")),
            (edited { $0["id"] = .integer(1) }, .wrongType(field: "id", expected: "a string")),
            (edited { $0["version"] = .string("1") }, .wrongType(field: "version", expected: "an integer")),
            (edited { $0["timestamp"] = .string("5") }, .wrongType(field: "timestamp", expected: "an integer")),
            (edited { $0["topic"] = .string("nope") }, .unknownTopic("nope")),
            (edited { $0["keys"] = ["color": "red"] }, .invalidKeys("keys.color is not a known key with a string value")),
            (edited { $0["extra"] = .null }, .unexpectedField("extra")),
        ]
        for (value, expected) in cases {
            #expect(throws: expected) { _ = try EnvelopeJSON.decode(value) }
        }
        #expect(try EnvelopeJSON.decode(edited { $0["seq"] = 1 }, extraFields: ["seq"]).id == "e1", "an allowed extra field")
        let notJSON = #expect(throws: EnvelopeDecodingError.self) { _ = try EnvelopeJSON.decode(bytes: Array("{".utf8)) }
        if case .notJSON = notJSON {} else { Issue.record("not JSON: \(String(describing: notJSON))") }
        // An array fails as a whole at its first bad item, naming it: nothing is dropped.
        let array = try CanonicalJSON.encode(.array([good, edited { $0["type"] = nil }, good]))
        #expect(throws: EnvelopeDecodingError.inArray(index: 1, "missing field type")) { _ = try EnvelopeJSON.decodeArray(bytes: array) }
        #expect(throws: EnvelopeDecodingError.notAnArray) { _ = try EnvelopeJSON.decodeArray(bytes: try CanonicalJSON.encode(good)) }
    }
}
