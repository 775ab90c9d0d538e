import Foundation
import Testing
import TestSupport

/// `streamflow replay …` and `schemas check` as an operator runs them.
@Suite("streamflow replay")
struct ReplayCLITests {
    static let reference = PythonOracle.packageRoot.appendingPathComponent("Replay/reference/events.jsonl").path

    static func workspace() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("import, verify, rebuild, show and export work end to end")
    func endToEnd() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("node").path
        let imported = try StreamflowExecutable.run(["replay", "import", "--data", data, Self.reference])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported 129 events"))
        let verified = try StreamflowExecutable.run(["replay", "verify", "--data", data])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("verify ok: 129 events"))
        let rebuilt = try StreamflowExecutable.run(["replay", "rebuild", "--data", data])
        #expect(rebuilt.status == 0 && rebuilt.stdout.components(separatedBy: "match").count - 1 == 6)  // one line per built-in projection
        let shown = try StreamflowExecutable.run(["replay", "show", "--data", data, "--stream", "stream-beta"])
        #expect(shown.stdout.contains("verification.failed") && shown.stdout.contains("FAILED"))
        let exported = try StreamflowExecutable.run(["replay", "export", "--data", data])
        #expect(exported.stdout == (try String(contentsOfFile: Self.reference, encoding: .utf8)))
        let tickets = try StreamflowExecutable.run(["replay", "export", "--data", data, "--topic", "tickets"])
        #expect(tickets.stdout.split(separator: "\n").count == 35)
        let beta = try StreamflowExecutable.run(["replay", "export", "--data", data, "--key", "stream=stream-beta", "--from", "100"])
        #expect(beta.stdout.split(separator: "\n").allSatisfy { $0.contains("stream-beta") })
    }

    @Test("a tampered export is refused at its line and leaves nothing behind")
    func tamperedImport() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = try String(contentsOfFile: Self.reference, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines[22].contains("\"latencyMs\":750"))
        lines[22] = lines[22].replacingOccurrences(of: "\"latencyMs\":750", with: "\"latencyMs\":75")
        let tampered = directory.appendingPathComponent("tampered.jsonl")
        try lines.joined(separator: "\n").write(to: tampered, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("node").path
        let outcome = try StreamflowExecutable.run(["replay", "import", "--data", data, tampered.path])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("line 23"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("was altered"))
        #expect(outcome.stderr.contains("nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: data + "/log"))
    }

    @Test("verify on a missing log, a bad topic, a bad key: exit 1 with a reason")
    func badArguments() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try StreamflowExecutable.run(["replay", "verify", "--data", directory.path])
        #expect(missing.status == 1 && missing.stderr.contains("no event log"))
        let data = directory.appendingPathComponent("node").path
        _ = try StreamflowExecutable.run(["replay", "import", "--data", data, Self.reference])
        let topic = try StreamflowExecutable.run(["replay", "export", "--data", data, "--topic", "nope"])
        #expect(topic.status == 1 && topic.stderr.contains("unknown topic nope"))
        let key = try StreamflowExecutable.run(["replay", "export", "--data", data, "--key", "colour=blue"])
        #expect(key.status == 1 && key.stderr.contains("KIND=VALUE"))
        let again = try StreamflowExecutable.run(["replay", "import", "--data", data, Self.reference])
        #expect(again.status == 1 && again.stderr.contains("already holds a log"))
    }

    @Test("the committed Schemas/ pass `schemas check`")
    func schemasCheck() throws {
        let outcome = try StreamflowExecutable.run(["schemas", "check", PythonOracle.packageRoot.appendingPathComponent("Schemas").path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
    }
}
