import Audit
import EventLog
import EventModel
import Foundation
import JSONCore
import Testing

/// Issue 17's import cases: derived ticket fields, duplicate ids, staging left by a killed import.
@Suite("audit: import hardening")
struct ImportHardeningTests {
    @Test("a ticket event whose ev does not follow from its signed ticket is refused at its line", arguments: ["ticket.issued", "ticket.received"])
    func derivedEV(type: String) async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.sub("a"))
        let original = try exportBytes(log)
        let target = try #require(Rechain.lines(original).firstIndex { $0.contains("\"type\":\"\(type)\"") }) + 1
        let forged = try Rechain.export(original) { line, envelope in
            guard line == target else { return }
            envelope = EventEnvelope(id: envelope.id, type: envelope.type, version: envelope.version, topic: envelope.topic,
                                     keys: envelope.keys, timestamp: envelope.timestamp,
                                     payload: envelope.payload.setting("ev", to: "999999999"))
        }
        do {
            _ = try LogImporter.importLines(forged, into: directory.sub("b"))
            Issue.record("an ev that does not follow from the ticket imported")
        } catch let failure as AuditFailure {
            #expect(failure.line == target && failure.reason.contains("ev 999999999 does not follow"), "\(failure)")
        }
    }

    @Test("an import with a duplicate id names the line and the line it repeats")
    func duplicateID() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.sub("a"))
        let original = try exportBytes(log)
        let firstID = try ExportLine.parse(try JSONParser.parse(Array(Rechain.lines(original)[2].utf8))).envelope.id
        let forged = try Rechain.export(original) { line, envelope in
            guard line == 7 else { return }
            envelope = EventEnvelope(id: firstID, type: envelope.type, version: envelope.version, topic: envelope.topic,
                                     keys: envelope.keys, timestamp: envelope.timestamp, payload: envelope.payload)
        }
        do {
            _ = try LogImporter.importLines(forged, into: directory.sub("b"))
            Issue.record("a duplicate id imported")
        } catch let failure as AuditFailure {
            #expect(failure.line == 7 && failure.reason.contains("repeats the id of line 3"), "\(failure)")
        }
    }

    @Test("staging directories left by a killed import are removed at the next run; a live one is kept")
    func staleStaging() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.sub("a"))
        let lines = try exportBytes(log)
        let target = directory.sub("b")
        let dead = target + ".importing-2147483647"  // no such process
        let live = target + ".importing-1"  // init: alive
        for path in [dead, live] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data("half a log".utf8).write(to: URL(fileURLWithPath: path + "/data.mdb"))
        }
        _ = try LogImporter.importLines(lines, into: target)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(try LogVerifier.verify(try openLog(target)).passed)
    }
}
