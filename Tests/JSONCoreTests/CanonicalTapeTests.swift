import JSONCore
import Testing

/// The tape is the fast path of the log sink: it must accept exactly the canonical texts and judge
/// schemas exactly as the tree evaluator does. Both are checked against the parser, the encoder and
/// `SchemaEvaluator` on generated and mutated inputs.
@Suite("Canonical tape")
struct CanonicalTapeTests {
    /// A seeded generator, so a failure repeats.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet: [String] = ["a", "b", "z", "A", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "\u{7F}",
                                     "é", "ü", "€", "😀", "\u{FFFF}", "x"]

    static func randomString(_ generator: inout Seeded) -> String {
        (0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
    }

    static func randomValue(_ generator: inout Seeded, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .integer([0, -1, 1, .max, .min, Int64.random(in: -1_000_000...1_000_000, using: &generator)]
            .randomElement(using: &generator)!)
        case 3, 4: return .string(randomString(&generator))
        case 5: return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomValue(&generator, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                members[randomString(&generator)] = randomValue(&generator, depth: depth + 1)
            }
            return .object(members)
        }
    }

    /// What the tape must agree with: a text is canonical when it parses and re-encodes to itself.
    static func isCanonical(_ bytes: [UInt8]) -> Bool {
        guard let value = try? JSONParser.parse(bytes), let again = try? CanonicalJSON.encode(value) else { return false }
        return again == bytes
    }

    /// Whether an object key somewhere needs an escape: canonical, but left to the parse path by design.
    static func hasEscapedKey(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let members):
            members.contains { key, member in
                key.utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } || hasEscapedKey(member)
            }
        case .array(let items): items.contains(where: hasEscapedKey)
        default: false
        }
    }

    /// The tape's contract: never a tape for a text that is not canonical, and a tape for every canonical
    /// text without escaped keys.
    static func expectAgreement(_ bytes: [UInt8]) {
        let tape = CanonicalTape(bytes)
        let canonical = isCanonical(bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        if tape != nil { #expect(canonical, "a tape for \(text) \(bytes)") }
        if canonical, let value = try? JSONParser.parse(bytes), !hasEscapedKey(value) {
            #expect(tape != nil, "no tape for \(text)")
            #expect(tape?.value(at: 0) == value)
        }
    }

    @Test("accepts every canonical text and reads back the same value")
    func acceptsCanonical() throws {
        var generator = Seeded(state: 1)
        for _ in 0..<3_000 {
            let value = Self.randomValue(&generator)
            let bytes = try CanonicalJSON.encode(value)
            Self.expectAgreement(bytes)
            guard let tape = CanonicalTape(bytes) else { continue }
            #expect(tape.range(of: 0) == 0..<bytes.count)
            if case .string(let text) = value { #expect(tape.string(at: 0) == text) }
        }
    }

    @Test("refuses what is not canonical", arguments: [
        " 1", "1 ", "{\"b\":1,\"a\":2}", "{\"a\":1,\"a\":1}", "-0", "01", "1.0", "1e2", "1E2", "\"\\/\"", "\"\\u0041\"",
        "\"\\u001F\"", "\"\\u000a\"", "\"\\u0008\"", "[1,]", "{\"a\" :1}", "99999999999999999999", "-9223372036854775809",
        "\"\\ud83d\\ude00\"", "tru", "nul", "[", "\"abc", "{}x", "",
    ])
    func refusesNonCanonical(text: String) {
        #expect(CanonicalTape(Array(text.utf8)) == nil, "\(text)")
        #expect(!Self.isCanonical(Array(text.utf8)), "\(text)")
    }

    @Test("leaves canonical texts with escaped keys to the parse path", arguments: ["{\"\\u0001\":1}", "{\"a\\\"\":1}"])
    func escapedKeys(text: String) {
        #expect(Self.isCanonical(Array(text.utf8)))
        #expect(CanonicalTape(Array(text.utf8)) == nil)
    }

    @Test("refuses bytes that are not UTF-8", arguments: [
        [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE0, 0x80, 0x80, 0x22],
        [0x22, 0x80, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xF8, 0x88, 0x80, 0x80, 0x80, 0x22],
    ] as [[UInt8]])
    func refusesBadUTF8(bytes: [UInt8]) {
        #expect(CanonicalTape(bytes) == nil)
        #expect((try? JSONParser.parse(bytes)) == nil)
    }

    @Test("mutated texts: a tape exactly when the text parses and re-encodes to itself")
    func agreesOnMutations() throws {
        var generator = Seeded(state: 2)
        let replacements: [[UInt8]] = [[0x20], [0x5C], [0x22], [0x2C], [0x3A], [0x30], [0x2D], [0x2E], [0x65], [0x7B], [0x7D],
                                       [0x5B], [0x5D], [0xC3], [0xA9], [0xFF], [0x00], [0x0A], [0x75], [0x61], [0x41], []]
        var tapes = 0
        for _ in 0..<20_000 {
            var bytes = try CanonicalJSON.encode(Self.randomValue(&generator))
            for _ in 0..<Int.random(in: 1...2, using: &generator) where !bytes.isEmpty {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                bytes.replaceSubrange(position..<position + Int.random(in: 0...1, using: &generator),
                                      with: replacements.randomElement(using: &generator)!)
            }
            if CanonicalTape(bytes) != nil { tapes += 1 }
            Self.expectAgreement(bytes)
        }
        #expect(tapes > 1_000)  // the mutations leave many texts canonical, so both answers are exercised
    }

    static let schema: JSONValue = [
        "$defs": ["hex": ["type": "string", "pattern": "^0x([0-9a-f]{2})*$"]],
        "type": "object",
        "required": ["a", "é"],
        "additionalProperties": ["type": ["integer", "string"], "not": ["const": "x"]],
        "properties": [
            "a": ["type": "integer", "minimum": -5, "exclusiveMaximum": 100.5],
            "b": ["type": "string", "minLength": 2, "maxLength": 4],
            "c": ["enum": [1, "ü", .null, ["z": true], [1, 2]]],
            "d": ["type": "array", "items": ["$ref": "#/$defs/hex"], "minItems": 1, "maxItems": 3, "uniqueItems": true],
            "e": ["anyOf": [["type": "boolean"], ["type": "string", "pattern": "[0-9]+"]]],
            "f": ["oneOf": [["type": "integer", "minimum": 0], ["type": "integer", "maximum": 10]]],
            "g": ["type": "object", "properties": ["h": ["const": ["k": 1]]], "additionalProperties": false],
            "é": ["type": ["string", "null"]],
        ],
    ]

    static func randomInstance(_ generator: inout Seeded) -> JSONValue {
        // Per property: values the schema accepts, then values it refuses.
        let pool: [String: ([JSONValue], [JSONValue])] = [
            "a": ([0, -5, 100], [-6, 101, "1", .null]),
            "b": (["ab", "éü€😀", "ab\nc", "\"\\"], ["", "abcde", 3]),
            "c": ([1, "ü", .null, ["z": true], [1, 2]], [2, "u", ["z": false], [2, 1], true]),
            "d": ([["0x"], ["0xab", "0x01"], ["0x", "0x00", "0x11"]], [[], ["0xab", "0xab"], ["0xAB"], ["0xa"], [1], ["0x", "0x00", "0x11", "0x22"]]),
            "e": ([true, "12", "a1b"], ["abc", "\n", 1, .null]),
            "f": ([-1, 11], [5, "5"]),
            "g": ([[:], ["h": ["k": 1]]], [["h": ["k": 2]], ["i": 1], []]),
            "é": (["x", .null], [1]),
            "z": ([1, "y"], ["x", true, .null]),
        ]
        var members: [String: JSONValue] = [:]
        for (name, (accepted, refused)) in pool where Bool.random(using: &generator) || name == "a" || name == "é" {
            let values = Int.random(in: 0..<12, using: &generator) == 0 ? refused : accepted
            members[name] = values.randomElement(using: &generator)!
        }
        return .object(members)
    }

    @Test("schema verdicts on the tape equal the tree evaluator's")
    func schemaVerdictsAgree() throws {
        let schema = try JSONSchema(Self.schema)
        var generator = Seeded(state: 3)
        var valid = 0, checked = 0
        for _ in 0..<20_000 {
            let instance = Self.randomInstance(&generator)
            // A key with an escape cannot be on a tape; such texts take the parse path.
            guard let bytes = try? CanonicalJSON.encode(instance), let tape = CanonicalTape(bytes) else { continue }
            let expected = schema.isValid(instance)
            #expect(schema.isValid(tape, at: 0) == expected, "\(instance)")
            checked += 1
            if expected { valid += 1 }
        }
        #expect(checked > 1_000 && valid > 50 && checked - valid > 50, "\(checked) checked, \(valid) valid")
    }
}
