import Audit
import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
import Scenarios
import Testing

/// Issue 17: an export whose events were edited and the whole chain recomputed used to import and
/// verify cleanly. Signed checkpoints anchor the chain to the node's key.
@Suite("audit: signed checkpoints")
struct CheckpointTests {
    static let key = try! PrivateKey(hex: "0x" + String(repeating: "4c", count: 32))
    static let other = try! PrivateKey(hex: "0x" + String(repeating: "5d", count: 32))

    /// The scenario's events with a checkpoint signed after the first 60 and after all of them.
    static func checkpointedLog(_ directory: String) async throws -> (EventLog, [LogCheckpoint]) {
        let log = try openLog(directory)
        let events = try ReferenceScenario.events()
        let clock = ManualClock(1_700_000_000_000)
        let checkpointer = LogCheckpointer(log: log, key: key, clock: clock, policy: CheckpointPolicy(everyEvents: 60, everyMilliseconds: 3_600_000))
        var signed: [LogCheckpoint] = []
        _ = try await log.append(Array(events[0..<60]))
        if let checkpoint = try await checkpointer.checkpointIfDue() { signed.append(checkpoint) }
        _ = try await log.append(Array(events[60...]))
        if let checkpoint = try await checkpointer.checkpointNow() { signed.append(checkpoint) }
        return (log, signed)
    }

    @Test("the checkpointer signs after N events or T ms (injected clock) and at shutdown, never twice for one head")
    func cadence() async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path)
        let clock = ManualClock(1_700_000_000_000)
        let checkpointer = LogCheckpointer(log: log, key: Self.key, clock: clock, policy: CheckpointPolicy(everyEvents: 10, everyMilliseconds: 5_000))
        _ = try await log.append((0..<9).map { ingested("e\($0)", seq: Int64($0)) })
        #expect(try await checkpointer.checkpointIfDue() == nil)  // 9 events, no time passed
        _ = try await log.append(ingested("e9", seq: 9))
        let byCount = try #require(try await checkpointer.checkpointIfDue())
        #expect(byCount.sequence == 10 && byCount.signer == Self.key.address)
        #expect(try await checkpointer.checkpointIfDue() == nil)  // its own event is not news
        _ = try await log.append(ingested("e10", seq: 10))
        #expect(try await checkpointer.checkpointIfDue() == nil)
        clock.advance(5_000)
        let byTime = try #require(try await checkpointer.checkpointIfDue())
        #expect(byTime.sequence == 12)
        #expect(try await checkpointer.checkpointNow() == nil)  // nothing since
        _ = try await log.append(ingested("e11", seq: 11))
        #expect(try await checkpointer.checkpointNow()?.sequence == 14)
        let report = try LogVerifier.verify(log)
        #expect(report.passed && report.checkpoints == 3 && report.lastSigned == 14)
    }

    @Test("verify checks every checkpoint's signature and hash and reports the last signed sequence; --trust names the signer")
    func verify() async throws {
        let directory = TemporaryDirectory()
        let (log, signed) = try await Self.checkpointedLog(directory.path)
        #expect(signed.map(\.sequence) == [60, 130])
        let report = try LogVerifier.verify(log, trusted: Self.key.address)
        #expect(report.passed && report.checkpoints == 2 && report.lastSigned == 130, "\(String(describing: report.failure))")
        let untrusted = try LogVerifier.verify(log, trusted: Self.other.address)
        #expect(untrusted.failure?.sequence == 61 && untrusted.failure?.reason.contains("not the trusted") == true)
    }

    @Test("an export edited and re-chained fails import at the first checkpoint it contradicts, naming its line")
    func rechainedImport() async throws {
        let directory = TemporaryDirectory()
        let (log, _) = try await Self.checkpointedLog(directory.sub("a"))
        let original = try exportBytes(log)
        // Edit an unsigned field of line 23 (a delivery's latency) and recompute every hash after it.
        let forged = try Rechain.export(original) { line, envelope in
            guard line == 23 else { return }
            envelope = EventEnvelope(id: envelope.id, type: envelope.type, version: envelope.version, topic: envelope.topic,
                                     keys: envelope.keys, timestamp: envelope.timestamp,
                                     payload: envelope.payload.setting("latencyMs", to: 75))
        }
        #expect(Rechain.lines(forged)[22].contains("\"latencyMs\":75"))
        do {
            _ = try LogImporter.importLines(forged, into: directory.sub("b"))
            Issue.record("a re-chained export imported")
        } catch let failure as AuditFailure {
            #expect(failure.line == 61, "\(failure)")
            #expect(failure.reason.contains("history was rewritten"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.sub("b")))
        // The untouched export imports, with the signer required.
        #expect(try LogImporter.importLines(original, into: directory.sub("c"), trusted: Self.key.address).events == 131)
    }

    @Test("a checkpoint whose signature is not its signer's is refused")
    func forgedSignature() async throws {
        let directory = TemporaryDirectory()
        let (log, _) = try await Self.checkpointedLog(directory.sub("a"))
        let forged = try Rechain.export(try exportBytes(log)) { line, envelope in
            guard line == 61, let signature = try? Self.other.signMessage(LogCheckpoint.message(sequence: 60, headHash: .zero)) else { return }
            envelope = EventEnvelope(id: envelope.id, type: envelope.type, version: envelope.version, topic: envelope.topic,
                                     keys: envelope.keys, timestamp: envelope.timestamp,
                                     payload: envelope.payload.setting("sig", to: .string(signature.hex)))
        }
        #expect(throws: AuditFailure.self) { try LogImporter.importLines(forged, into: directory.sub("b")) }
    }
}
