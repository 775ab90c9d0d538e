import Foundation
import JSONCore
import OperatorConfig
import Testing

/// `--config FILE` expansion: the file's values become options, the command line's win, bad keys and types are named.
@Suite("config file")
struct ConfigFileTests {
    static let schema = ConfigSchema(command: "orchestrator", keys: [
        "port": .integer, "price-per-pixel": .integer, "profiles": .list, "capacity": .integer, "host": .string,
        "tamper-renditions": .flag, "segment-seconds": .number,
    ])

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sf-config-\(UUID().uuidString).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("values applied in key order; a flag given on the command line wins; arrays join with commas")
    func applied() throws {
        let path = try Self.write(#"{"port": 8935, "price-per-pixel": 1000, "capacity": 4, "profiles": ["A", "B"],"#
                                  + #" "tamper-renditions": true, "segment-seconds": 1.5, "host": "0.0.0.0"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expanded = try ConfigFile.expand(["orchestrator", "--config", path, "--port", "0", "--capacity=2"], schemas: [Self.schema])
        #expect(expanded == ["orchestrator", "--host=0.0.0.0", "--price-per-pixel=1000", "--profiles=A,B", "--segment-seconds=1.5",
                             "--tamper-renditions", "--config", path, "--port", "0", "--capacity=2"])
        // Another command, or no --config: untouched.
        #expect(try ConfigFile.expand(["version", "--config", path], schemas: [Self.schema]) == ["version", "--config", path])
        #expect(try ConfigFile.expand(["orchestrator", "--port", "1"], schemas: [Self.schema]) == ["orchestrator", "--port", "1"])
        let off = try ConfigFile.arguments(from: ["tamper-renditions": false], schema: Self.schema, path: "x")
        #expect(off.isEmpty)
    }

    @Test("an unknown key, a wrong type, a non-object and a missing file are refused naming the key or file")
    func refused() throws {
        #expect(throws: ConfigError.unknownKey(path: "f.json", key: "prot", known: Self.schema.keys.keys.sorted())) {
            try ConfigFile.arguments(from: ["prot": 1], schema: Self.schema, path: "f.json")
        }
        #expect(throws: ConfigError.wrongType(path: "f.json", key: "port", expected: .integer, got: #"a string "8935""#)) {
            try ConfigFile.arguments(from: ["port": "8935"], schema: Self.schema, path: "f.json")
        }
        #expect(throws: ConfigError.wrongType(path: "f.json", key: "capacity", expected: .integer, got: "a decimal number 2.5")) {
            try ConfigFile.arguments(from: ["capacity": 2.5], schema: Self.schema, path: "f.json")
        }
        #expect(throws: ConfigError.wrongType(path: "f.json", key: "profiles", expected: .list, got: #"an array ["A",1]"#)) {
            try ConfigFile.arguments(from: ["profiles": ["A", 1]], schema: Self.schema, path: "f.json")
        }
        #expect(throws: ConfigError.notAnObject(path: "f.json")) {
            try ConfigFile.arguments(from: [1, 2], schema: Self.schema, path: "f.json")
        }
        #expect(throws: ConfigError.missingPath) { try ConfigFile.expand(["orchestrator", "--config"], schemas: [Self.schema]) }
        #expect(throws: ConfigError.self) { try ConfigFile.expand(["orchestrator", "--config", "/nonexistent.json"], schemas: [Self.schema]) }
        let error = ConfigError.wrongType(path: "f.json", key: "port", expected: .integer, got: #"a string "x""#)
        #expect(error.description == #"config file f.json: key "port" must be an integer, got a string "x""#)
    }
}
