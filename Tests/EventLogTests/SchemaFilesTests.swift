import Audit
import EventLog
import EventSchemas
import Foundation
import JSONCore
import Testing
import TestSupport

@Suite("Schemas/ and independent checks")
struct SchemaFilesTests {
    static let schemasDirectory = PythonOracle.packageRoot.appendingPathComponent("Schemas")

    @Test("the committed Schemas/ files are exactly what the catalog generates")
    func filesAreCurrent() throws {
        let files = SchemaFiles.all()
        #expect(files.count >= 28)
        for file in files {
            let committed = try String(contentsOf: Self.schemasDirectory.appendingPathComponent(file.name), encoding: .utf8)
            #expect(committed == file.text, "Schemas/\(file.name) is stale: run `streamflow schemas write Schemas`")
        }
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.schemasDirectory.path).filter { $0.hasSuffix(".json") }
        #expect(Set(onDisk) == Set(files.map(\.name)), "Schemas/ has files the catalog does not")
    }

    /// Python's jsonschema validates every exported line and payload against the files in Schemas/,
    /// and recomputes every hash from docs/EVENT-LOG.md's definition with eth-hash.
    @Test("exported events validate with Python jsonschema and their hashes recompute with eth-hash")
    func independentValidation() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.path)
        var export: [UInt8] = []
        try LogExporter.export(log) { export += $0 }
        let script = """
            import sys, json, os, struct
            from jsonschema import Draft202012Validator
            from eth_hash.auto import keccak
            schemas_dir = sys.argv[1] if len(sys.argv) > 1 else os.environ["SCHEMAS"]
            def load(name):
                with open(os.path.join(schemas_dir, name)) as f:
                    schema = json.load(f)
                Draft202012Validator.check_schema(schema)
                return Draft202012Validator(schema)
            line_validator = load("export-line.v1.schema.json")
            def s(text):
                b = text.encode("utf-8"); return struct.pack(">I", len(b)) + b
            checked, prev, errors, types = 0, b"\\0" * 32, [], set()
            for raw in sys.stdin.read().splitlines():
                e = json.loads(raw)
                errors += [f"line {e.get('seq')}: {x.message}" for x in line_validator.iter_errors(e)]
                v = load(f"{e['type']}.v{e['version']}.schema.json")
                errors += [f"payload {e['seq']}: {x.message}" for x in v.iter_errors(e["payload"])]
                payload = json.dumps(e["payload"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                keys = e["keys"]
                content = b"SFE1" + s(e["id"]) + s(e["type"]) + struct.pack(">I", e["version"]) + s(e["topic"])
                for k in ("stream", "session", "orchestrator", "sender"):
                    content += s(keys.get(k, ""))
                content += struct.pack(">q", e["timestamp"]) + s(payload)
                assert bytes.fromhex(e["previousHash"][2:]) == prev, f"chain broken at {e['seq']}"
                h = keccak(content + struct.pack(">Q", e["seq"]) + prev)
                assert "0x" + h.hex() == e["hash"], f"hash differs at {e['seq']}"
                prev = h
                checked += 1
                types.add(e["type"])
            print(json.dumps({"checked": checked, "errors": errors, "types": sorted(types)}))
            """
        struct Result: Decodable { let checked: Int; let errors: [String]; let types: [String] }
        let scriptWithPath = "import sys; sys.argv.append(\(String(reflecting: Self.schemasDirectory.path)))\n" + script
        let output = try PythonOracle.run(script: scriptWithPath, input: Data(export))
        let result = try JSONDecoder().decode(Result.self, from: output)
        #expect(result.checked == Int(log.head.sequence))
        #expect(result.errors.isEmpty, "\(result.errors.prefix(5))")
        #expect(result.types.count >= 20)
    }

    @Test("Python jsonschema also rejects what the Swift validator rejects")
    func pythonAgreesOnRejects() throws {
        let payloads: [(String, JSONValue)] = [
            ("segment.ingested", ["seq": -1, "durationMs": 2000, "bytes": 1, "dataHash": "0x11"]),
            ("segment.ingested", ["seq": 1, "durationMs": 2000, "bytes": 1]),
            ("ticket.rejected", ["ticketHash": "0x1111111111111111111111111111111111111111111111111111111111111111", "reason": "because"]),
            ("deposit.funded", ["sender": "0x12", "amount": "1", "deposit": "1"]),
            ("deposit.funded", ["sender": "0x3BadDb1eeE2105893136A3F96c8a963E9C6309d6", "amount": "01", "deposit": "1"]),
        ]
        let cases = try payloads.map { type, payload in
            [type, String(decoding: try CanonicalJSON.encode(payload), as: UTF8.self)]
        }
        let script = """
            import sys, json, os
            from jsonschema import Draft202012Validator
            d = sys.argv[1]
            out = []
            for t, p in json.load(sys.stdin):
                schema = json.load(open(os.path.join(d, t + ".v1.schema.json")))
                out.append(Draft202012Validator(schema).is_valid(json.loads(p)))
            print(json.dumps(out))
            """
        let scriptWithPath = "import sys; sys.argv.append(\(String(reflecting: Self.schemasDirectory.path)))\n" + script
        let valid = try JSONDecoder().decode([Bool].self, from: PythonOracle.run(
            script: scriptWithPath, input: JSONEncoder().encode(cases)))
        #expect(valid == [false, false, false, false, false])
        for (type, payload) in payloads {
            let definition = try #require(EventCatalog.definition(type: type, version: 1))
            #expect(!(try JSONSchema(definition.document).validate(payload).isEmpty))
        }
    }
}
