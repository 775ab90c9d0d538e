import Audit
import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
import LMDB
import Scenarios
import Testing

@Suite("audit: verify, export, import")
struct AuditTests {
    @Test("verify passes on a good log, checking every ticket and result signature")
    func verifyGood() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.path)
        let report = try LogVerifier.verify(log)
        #expect(report.passed, "\(String(describing: report.failure))")
        #expect(report.events == log.head.sequence)
        #expect(report.signatures > 40)
    }

    @Test("verify names the first tampered sequence")
    func verifyTampered() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.path)
        let head = log.head.sequence
        log.close()
        // Flip one payload byte of event 20 directly in LMDB, as an attacker with the files could.
        let environment = try LMDBEnvironment(path: directory.path, options: .init())
        let events = try environment.database("events", flags: [])
        let key = withUnsafeBytes(of: UInt64(20).bigEndian) { Array($0) }
        try environment.write { transaction in
            var value = try #require(try transaction.get(key, in: events))
            let index = value.count - 64 - 3
            value[index] = value[index] == 0x31 ? 0x32 : 0x31
            try transaction.put(value, forKey: key, in: events)
        }
        let reopened = try openLog(directory.path)
        let report = try LogVerifier.verify(reopened)
        #expect(report.failure?.sequence == 20)
        #expect(report.failure?.reason.contains("does not match its content") == true)
        #expect(reopened.head.sequence == head)
    }

    @Test("export then import rebuilds the same chain; the export is byte-reproducible")
    func roundTrip() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.sub("a"))
        let lines = try exportBytes(log)
        let report = try LogImporter.importLines(lines, into: directory.sub("b"))
        #expect(report.head == log.head)
        let imported = try openLog(directory.sub("b"))
        #expect(try exportBytes(imported) == lines)
        #expect(try LogVerifier.verify(imported).passed)
    }

    @Test("bad export lines are refused, naming the line, and nothing is written", arguments: [
        "truncated", "garbage", "unknown-type", "schema", "tampered", "broken-chain", "bad-signature", "duplicate-key",
    ])
    func badImports(kind: String) async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.sub("a"))
        var lines = try exportBytes(log).split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        let target = 12  // 1-based line that we damage
        var expectedLine = target
        switch kind {
        case "truncated": lines[target - 1] = String(lines[target - 1].prefix(40))
        case "garbage": lines[target - 1] = "\u{1}\u{2}not json at all"
        case "unknown-type": lines[target - 1] = lines[target - 1].replacingOccurrences(of: "\"type\":\"", with: "\"type\":\"x")
        case "schema": lines[target - 1] = lines[target - 1].replacingOccurrences(of: "\"version\":1", with: "\"version\":\"1\"")
        case "tampered":
            let line = lines[target - 1]
            lines[target - 1] = line.replacingOccurrences(of: "\"timestamp\":", with: "\"timestamp\":1")
        case "broken-chain": lines.remove(at: target - 1)
        case "bad-signature":
            // Re-sign nothing: swap a ticket's sig for another ticket's. The hash check fires first
            // unless the hash is recomputed, so this damages an event that carries a signature.
            expectedLine = lines.firstIndex { $0.contains("\"type\":\"ticket.issued\"") }! + 1
            lines[expectedLine - 1] = lines[expectedLine - 1].replacingOccurrences(of: "\"sig\":\"0x", with: "\"sig\":\"0x00")
        case "duplicate-key": lines[target - 1] = lines[target - 1].replacingOccurrences(of: "{\"hash\"", with: "{\"id\":\"x\",\"hash\"")
        default: Issue.record("unknown case")
        }
        let bytes = Array(lines.joined(separator: "\n").utf8)
        do {
            _ = try LogImporter.importLines(bytes, into: directory.sub("b"))
            Issue.record("\(kind): import should have failed")
        } catch let failure as AuditFailure {
            #expect(failure.line == expectedLine, "\(kind): \(failure)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.sub("b")), "\(kind) left files behind")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("importing") }
        #expect(leftovers.isEmpty)
    }

    @Test("import refuses a directory that already holds a log")
    func refusesExisting() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.sub("a"))
        let lines = try exportBytes(log)
        #expect(throws: AuditFailure.self) { try LogImporter.importLines(lines, into: directory.sub("a")) }
        #expect(try LogVerifier.verify(log).passed)
        // Nor a directory with anything else in it: nothing of the user's is replaced.
        try FileManager.default.createDirectory(atPath: directory.sub("other"), withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: directory.sub("other/notes.txt")))
        #expect(throws: AuditFailure.self) { try LogImporter.importLines(lines, into: directory.sub("other")) }
        #expect(FileManager.default.fileExists(atPath: directory.sub("other/notes.txt")))
    }

    @Test("the stream timeline reads as a story")
    func timeline() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.path)
        let lines = try StreamTimeline.lines(log, stream: "stream-beta")
        #expect(lines.contains { $0.contains("verification.failed") && $0.contains("segment 3") && $0.contains("FAILED") })
        #expect(lines.filter { $0.contains("segment.delivered") }.count == 6)
        #expect(try StreamTimeline.lines(log, stream: "nope").isEmpty)
    }
}
