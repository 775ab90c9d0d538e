import Audit
import EventLog
import EventModel
import Foundation
import LMDB
import Testing

/// Issue 17: a damaged index used to pass `verify` while `export --key` and `show --stream`
/// silently returned a fraction of the events.
@Suite("audit: indexes against the events")
struct IndexAuditTests {
    /// The scenario's log, fully indexed and closed; then `damage` applied to its index environment.
    static func damagedLog(_ directory: TemporaryDirectory,
                           damage: (LMDBEnvironment, LMDBDatabase, LMDBDatabase) throws -> Void) async throws -> UInt64 {
        let log = try await scenarioLog(directory.path)
        try log.indexNow()
        let head = log.head.sequence
        log.close()
        let index = try LMDBEnvironment(path: directory.path + "/index", options: .init())
        let keys = try index.database("keys", flags: [.dupSort, .dupFixed])
        let ids = try index.database("ids")
        try damage(index, keys, ids)
        return head
    }

    static let betaKey: [UInt8] = [0] + Array("stream-beta".utf8)  // kind byte 0 = stream

    @Test("verify compares every index with the events both ways and names each finding")
    func findings() async throws {
        let directory = TemporaryDirectory()
        _ = try await Self.damagedLog(directory) { index, keys, ids in
            try index.write { transaction in
                try transaction.delete(Self.betaKey, in: keys)  // every stream-beta entry gone
                try transaction.put(withUnsafeBytes(of: UInt64(99_999).bigEndian) { Array($0) }, forKey: Array("ghost".utf8), in: ids)
            }
        }
        let log = try openLog(directory.path)
        let report = try LogVerifier.verify(log)
        #expect(report.failure == nil)  // the events themselves are fine
        #expect(!report.passed)
        #expect(report.indexes.findings.contains { $0.index == .keys && $0.problem == .missing && $0.key == "stream=stream-beta" })
        #expect(report.indexes.findingCount > report.indexes.findings.count)  // the first 20 are listed
        let all = try log.auditIndexes(limit: .max)
        #expect(all.findings.count == report.indexes.findingCount)
        #expect(all.findings.contains { $0.index == .ids && $0.problem == .dangling && $0.sequence == 99_999 })
    }

    @Test("a reader by key or topic fails loudly on a damaged index instead of returning fewer events")
    func readersFailLoudly() async throws {
        let directory = TemporaryDirectory()
        _ = try await Self.damagedLog(directory) { index, keys, _ in
            // Keep only the first stream-beta entry, as a damaged page would.
            var first: [UInt8]?
            try index.read { transaction in
                try transaction.forEachDuplicate(ofKey: Self.betaKey, in: keys) { value in
                    first = Array(value)
                    return false
                }
            }
            try index.write { transaction in
                try transaction.delete(Self.betaKey, in: keys)
                try transaction.put(try #require(first), forKey: Self.betaKey, in: keys)
            }
        }
        var options = EventLog.Options()
        options.readOnly = true
        let log = try EventLog(directory: directory.path, options: options)
        #expect {
            _ = try StreamTimeline.lines(log, stream: "stream-beta")
        } throws: { error in
            guard case .indexMismatch(let finding) = error as? EventLogError else { return false }
            return finding.problem == .missing && finding.key == "stream=stream-beta"
        }
        #expect(throws: EventLogError.self) { try LogExporter.export(log, key: (.stream, "stream-beta")) { _ in } }
    }

    @Test("rebuildIndexes (verify --repair) rebuilds them in one transaction; readers then see every event")
    func repair() async throws {
        let directory = TemporaryDirectory()
        let head = try await Self.damagedLog(directory) { index, keys, _ in
            try index.write { transaction in
                _ = try transaction.delete(Self.betaKey, in: keys)
            }
        }
        let log = try openLog(directory.path)
        #expect(try !log.auditIndexes().passed)
        #expect(try log.rebuildIndexes() == head)
        let after = try log.auditIndexes()
        #expect(after.passed && after.checkpoint == head, "\(after.findings)")
        #expect(try StreamTimeline.lines(log, stream: "stream-beta").filter { $0.contains("segment.delivered") }.count == 6)
        var walked = 0
        try log.scan { event in
            walked += try EventLog.hasStreamKey(event, "stream-beta") ? 1 : 0
            return true
        }
        #expect(try LogExporter.export(log, key: (.stream, "stream-beta")) { _ in } == walked)
    }
}

extension EventLog {
    /// Whether a stored event carries this stream key (test helper, read from its bytes).
    static func hasStreamKey(_ event: StoredEvent, _ stream: String) throws -> Bool {
        try event.record().envelope.keys.stream == stream
    }
}
