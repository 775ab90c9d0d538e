import Foundation
import Testing
import TestSupport

/// deploy/ parses: YAML with PyYAML, systemd units and Kafka properties as INI-like files, JSON configs whose every key
/// is an option of the command they are for (read from that command's own --help).
struct DeployFilesTests {
    static let deploy = PythonOracle.packageRoot.appendingPathComponent("deploy").path

    @Test func everyFileParsesAndSaysWhatItMustSay() throws {
        let script = """
            import configparser, glob, json, os, sys, yaml
            root = sys.argv[1]
            found = {}
            compose = yaml.safe_load(open(f"{root}/compose/docker-compose.yml"))
            found["compose"] = sorted(compose["services"])
            kinds = []
            for path in sorted(glob.glob(f"{root}/kubernetes/*.yaml")):
                for doc in yaml.safe_load_all(open(path)):
                    kinds.append(f"{doc['kind']}/{doc['metadata']['name']}")
                    if doc["kind"] == "StatefulSet" and doc["metadata"]["name"] == "streamflow-node":
                        found["nodeVolume"] = doc["spec"]["volumeClaimTemplates"][0]["metadata"]["name"]
                    if doc["kind"] == "ScaledObject":
                        found["scaler"] = doc["spec"]["triggers"][0]["type"]
                    if doc["kind"] == "ConfigMap":
                        for name, text in doc["data"].items(): json.loads(text)
            found["kinds"] = kinds
            units = {}
            for path in sorted(glob.glob(f"{root}/systemd/*.service")):
                parser = configparser.ConfigParser(strict=False, interpolation=None)
                parser.optionxform = str
                parser.read(path)
                assert {"Unit", "Service", "Install"} <= set(parser.sections()), path
                units[os.path.basename(path)] = parser["Service"]["ExecStart"]
            found["units"] = units
            properties = dict(line.strip().split("=", 1) for line in open(f"{root}/kafka/server.properties")
                              if line.strip() and not line.startswith("#"))
            found["roles"] = properties["process.roles"]
            found["configs"] = {os.path.basename(p): sorted(json.load(open(p))) for p in glob.glob(f"{root}/config/*.json")}
            print(json.dumps(found))
            """
        let output = try PythonOracle.run(script: script, arguments: [Self.deploy])
        let found = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        #expect(found["compose"] as? [String] == ["kafka-1", "kafka-2", "kafka-3", "node", "transcoder"])
        let kinds = found["kinds"] as? [String] ?? []
        for kind in ["StatefulSet/kafka", "StatefulSet/streamflow-node", "Deployment/streamflow-transcoder",
                     "ScaledObject/streamflow-transcoder", "PersistentVolumeClaim/streamflow-shared-store"] {
            #expect(kinds.contains(kind), "\(kind) in \(kinds)")
        }
        #expect(found["nodeVolume"] as? String == "log")
        #expect(found["scaler"] as? String == "kafka")
        #expect(found["roles"] as? String == "broker,controller")
        let units = found["units"] as? [String: String] ?? [:]
        #expect(units["streamflow-node.service"]?.contains("streamflow node --config") == true)
        #expect(units["streamflow-transcoder@.service"]?.contains("streamflow transcoder --config") == true)
        // Every config key is a long option of its command.
        let configs = found["configs"] as? [String: [String]] ?? [:]
        for (file, command) in [("node.json", "node"), ("transcoder.json", "transcoder")] {
            let help = try StreamflowExecutable.run([command, "--help"]).stdout
            let keys = try #require(configs[file])
            for key in keys { #expect(help.contains("--\(key) "), "\(file): --\(key) is not an option of streamflow \(command)") }
        }
    }
}
