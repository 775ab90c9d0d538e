import Foundation
import JSONCore
import Testing
import TestSupport

@Suite("JSON core")
struct JSONCoreTests {
    @Test("strict parser: accepts RFC 8259, refuses the rest with the byte offset", arguments: [
        ("{\"a\":1}", nil),
        (" [1, -0, 2.5e3, true, false, null, \"\\u00e9\\ud83d\\ude00\"] ", nil),
        ("{\"a\":1,\"a\":2}", "duplicate key \"a\" at byte 7"),
        ("[1,]", "unexpected ']' at byte 3"),
        ("{\"a\":1} x", "data after the JSON value at byte 8"),
        ("[01]", "invalid number at byte 1"),
        ("\"\\ud800\"", "invalid UTF-8 or surrogate at byte 7"),
        ("\"tab\there\"", "unexpected byte 0x9 at byte 4"),
        ("99999999999999999999", "integer out of the 64-bit range at byte 0"),
        ("[1", "truncated input at byte 2"),
        ("", "truncated input at byte 0"),
        ("// comment\n1", "unexpected '/' at byte 0"),
    ] as [(String, String?)])
    func parser(text: String, expected: String?) {
        do {
            _ = try JSONParser.parse(text)
            #expect(expected == nil, "accepted \(text), expected \(expected ?? "")")
        } catch {
            #expect(error.description == expected, "\(text)")
        }
    }

    @Test("canonical bytes: sorted keys by UTF-8 bytes, minimal escapes, integers only")
    func canonical() throws {
        let value: JSONValue = ["b": 1, "a": ["z": true, "é": .null, "A": -9_223_372_036_854_775_808],
                                "s": "quote\" slash/ back\\ nl\n ctl\u{1} ü"]
        let text = String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
        #expect(text == #"{"a":{"A":-9223372036854775808,"z":true,"é":null},"b":1,"s":"quote\" slash/ back\\ nl\n ctl\u0001 ü"}"#)
        #expect(try JSONParser.parse(text) == value)
        #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.encode(["x": 1.5]) }
    }

    @Test("canonical bytes equal Python's json.dumps(sort_keys, compact, ensure_ascii=False) on 300 random values")
    func canonicalMatchesPython() throws {
        var generator = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> JSONValue {
            let pick = Int.random(in: 0..<(depth > 3 ? 4 : 7), using: &generator)
            switch pick {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &generator))
            case 2: return .integer(Int64.random(in: .min ... .max, using: &generator))
            case 3:
                let scalars = (0..<Int.random(in: 0..<8, using: &generator)).map { _ in
                    Character(UnicodeScalar([0x1, 0x22, 0x2F, 0x5C, 0x41, 0xE9, 0x4E2D, 0x1F600].randomElement(using: &generator)!)!)
                }
                return .string(String(scalars))
            case 4, 5:
                return .array((0..<Int.random(in: 0..<4, using: &generator)).map { _ in random(depth + 1) })
            default:
                var members: [String: JSONValue] = [:]
                for _ in 0..<Int.random(in: 0..<4, using: &generator) {
                    members[["a", "B", "é", "z", "aa", "中", "_"].randomElement(using: &generator)!] = random(depth + 1)
                }
                return .object(members)
            }
        }
        let values = (0..<300).map { _ in random(0) }
        let lines = try values.map { String(decoding: try CanonicalJSON.encode($0), as: UTF8.self) }
        let script = """
            import sys, json
            out = [json.dumps(json.loads(l), sort_keys=True, separators=(",", ":"), ensure_ascii=False) for l in json.load(sys.stdin)]
            json.dump(out, sys.stdout, ensure_ascii=False)
            """
        let python = try PythonOracle.json(script: script, input: lines, as: [String].self)
        #expect(python == lines)
    }

    @Test("schema keywords: each one can fail", arguments: [
        (#"{"type":"integer","minimum":0}"#, "-1", false), (#"{"type":"integer","minimum":0}"#, "0", true),
        (#"{"type":"string","pattern":"^0x[0-9a-f]{64}$"}"#, "\"0x12\"", false),
        (#"{"type":"string","maxLength":2}"#, "\"abc\"", false), (#"{"type":"string","minLength":2}"#, "\"é\"", false),
        (#"{"enum":["a","b"]}"#, "\"c\"", false), (#"{"const":3}"#, "3", true),
        (#"{"type":"object","required":["a"],"additionalProperties":false}"#, #"{"b":1}"#, false),
        (#"{"type":"array","items":{"type":"integer"},"minItems":1,"uniqueItems":true}"#, "[1,1]", false),
        (#"{"oneOf":[{"type":"integer"},{"minimum":0}]}"#, "3", false),
        (#"{"anyOf":[{"type":"string"},{"type":"null"}]}"#, "null", true),
        (#"{"not":{"type":"null"}}"#, "null", false),
        (##"{"$defs":{"n":{"type":"integer"}},"$ref":"#/$defs/n"}"##, "\"x\"", false),
        (#"{"type":"integer","exclusiveMaximum":5}"#, "5", false),
    ] as [(String, String, Bool)])
    func keywords(schema: String, instance: String, valid: Bool) throws {
        let compiled = try JSONSchema(JSONParser.parse(schema))
        #expect(compiled.isValid(try JSONParser.parse(instance)) == valid, "\(schema) on \(instance)")
    }

    @Test("unsupported keywords, bad patterns and dangling refs are refused at load")
    func loadErrors() throws {
        #expect(throws: JSONSchemaError.self) { try JSONSchema(JSONParser.parse(#"{"typo":"integer"}"#)) }
        #expect(throws: JSONSchemaError.self) { try JSONSchema(JSONParser.parse(#"{"pattern":"("}"#)) }
        #expect(throws: JSONSchemaError.self) { try JSONSchema(JSONParser.parse(##"{"$ref":"#/$defs/none"}"##)) }
        #expect(throws: JSONSchemaError.self) { try JSONSchema(JSONParser.parse(#"{"$ref":"http://x/y"}"#)) }
    }
}
