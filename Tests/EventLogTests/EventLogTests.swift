import EthCrypto
import EventLog
import EventModel
import EventSchemas
import Foundation
import JSONCore
import Testing

@Suite("event log store")
struct EventLogTests {
    @Test("appends chain, and a repeated id returns the first sequence and writes nothing")
    func appendAndIdempotency() async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path)
        let first = try await log.append([ingested("a"), ingested("b", seq: 1), ingested("c", seq: 2)])
        #expect(first.map(\.sequence) == [1, 2, 3])
        guard case .appended(_, let hash1) = first[0], case .appended(_, let hash3) = first[2] else {
            Issue.record("expected appended outcomes")
            return
        }
        #expect(log.head == LogHead(sequence: 3, hash: hash3))
        #expect(try log.record(at: 1)?.hash == hash1)
        #expect(try log.record(at: 2)?.previousHash == hash1)

        let again = try await log.append([ingested("b", seq: 1), ingested("b", seq: 99), ingested("d", seq: 3), ingested("d", seq: 3)])
        #expect(again == [.duplicate(sequence: 2, sameContent: true), .duplicate(sequence: 2, sameContent: false),
                          again[2], .duplicate(sequence: 4, sameContent: true)])
        #expect(again[2].sequence == 4)
        #expect(log.head.sequence == 4)
        #expect(try log.sequence(ofID: "d") == 4)
        #expect(try log.record(at: 5) == nil)
    }

    @Test("invalid events are refused with a typed reason and nothing is written", arguments: [
        ("unknown type", EventEnvelope(id: "x", type: "segment.teleported", version: 1, topic: .segments,
                                       keys: EventKeys(stream: "s"), timestamp: 0, payload: [:])),
        ("unknown version", EventEnvelope(id: "x", type: "segment.ingested", version: 9, topic: .segments,
                                          keys: EventKeys(stream: "s"), timestamp: 0, payload: [:])),
        ("wrong topic", EventEnvelope(id: "x", type: "segment.ingested", version: 1, topic: .tickets,
                                      keys: EventKeys(stream: "s"), timestamp: 0, payload: [:])),
        ("missing key", EventEnvelope(id: "x", type: "segment.ingested", version: 1, topic: .segments,
                                      keys: EventKeys(), timestamp: 0, payload: ingested("y").payload)),
        ("schema violation", EventEnvelope(id: "x", type: "segment.ingested", version: 1, topic: .segments,
                                           keys: EventKeys(stream: "s"), timestamp: 0,
                                           payload: ["seq": -1, "durationMs": 2000, "bytes": 1, "dataHash": "0xzz"])),
        ("extra field", EventEnvelope(id: "x", type: "round.started", version: 1, topic: .settlement, keys: EventKeys(),
                                      timestamp: 0, payload: ["round": 1, "block": 1, "extra": true,
                                                              "blockHash": "0x1111111111111111111111111111111111111111111111111111111111111111"])),
    ])
    func rejections(label: String, envelope: EventEnvelope) async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path)
        _ = try await log.append(ingested("before"))
        await #expect(throws: EventRejection.self, "\(label)") { try await log.append(envelope) }
        #expect(log.head.sequence == 1)
        #expect(try log.sequence(ofID: "x") == nil)
    }

    @Test("a schema violation lists every broken field")
    func violationDetail() throws {
        let envelope = EventEnvelope(id: "x", type: "segment.ingested", version: 1, topic: .segments,
                                     keys: EventKeys(stream: "s"), timestamp: 0,
                                     payload: ["seq": -1, "durationMs": 2000, "bytes": 1, "dataHash": "0xzz"])
        let error = #expect(throws: EventRejection.self) { try EventValidator.shared.validate(envelope) }
        guard case .schemaViolation(let type, let version, let violations)? = error else {
            Issue.record("expected a schema violation, got \(String(describing: error))")
            return
        }
        #expect(type == "segment.ingested" && version == 1)
        #expect(violations.contains { $0.contains("/seq") })
        #expect(violations.contains { $0.contains("/dataHash") })
    }

    @Test("the log survives reopening; scans by topic and key see the right events")
    func reopenAndScan() async throws {
        let directory = TemporaryDirectory()
        do {
            let log = try openLog(directory.path)
            for index in 0..<30 {
                _ = try await log.append(ingested("e\(index)", stream: index % 3 == 0 ? "s0" : "other", seq: Int64(index)))
            }
            _ = try await log.append(EventEnvelope(
                id: "r", type: "round.started", version: 1, topic: .settlement, keys: EventKeys(), timestamp: 1,
                payload: ["round": 1, "block": 1, "blockHash": "0x1111111111111111111111111111111111111111111111111111111111111111"]))
            log.close()
        }
        let log = try openLog(directory.path)
        #expect(log.head.sequence == 31)
        var stream0: [UInt64] = []
        try log.scan(key: (.stream, "s0")) { stream0.append($0.sequence); return true }
        #expect(stream0 == Array(stride(from: 1, through: 30, by: 3)).map(UInt64.init))
        var settlement: [UInt64] = []
        try log.scan(topic: .settlement) { settlement.append($0.sequence); return true }
        #expect(settlement == [31])
        var fromTen: [UInt64] = []
        try log.scan(from: 10, key: (.stream, "s0")) { fromTen.append($0.sequence); return true }
        #expect(fromTen.first == 10)
        #expect(try log.batch(after: 29, limit: 10).map(\.sequence) == [30, 31])
    }

    @Test("a full map grows instead of failing")
    func mapGrowth() async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path, mapSize: 256 << 10)
        let events = (0..<6_000).map { ingested("g\($0)", seq: Int64($0)) }
        for chunk in stride(from: 0, to: events.count, by: 1_500) {
            _ = try await log.append(Array(events[chunk..<chunk + 1_500]))
        }
        #expect(log.head.sequence == 6_000)
        #expect(try log.record(at: 6_000)?.envelope.id == "g5999")
    }

    @Test("a live tail yields stored events, then new ones as they commit")
    func tail() async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path)
        _ = try await log.append([ingested("t1"), ingested("t2", seq: 1)])
        let reader = Task {
            var ids: [String] = []
            for try await record in log.tail(after: 0, batchSize: 2) {
                ids.append(record.envelope.id)
                if ids.count == 5 { break }
            }
            return ids
        }
        try await Task.sleep(for: .milliseconds(50))
        _ = try await log.append([ingested("t3", seq: 2)])
        try await Task.sleep(for: .milliseconds(20))
        _ = try await log.append([ingested("t4", seq: 3), ingested("t5", seq: 4)])
        #expect(try await reader.value == ["t1", "t2", "t3", "t4", "t5"])

        let cancelled = Task { for try await _ in log.tail(after: log.head.sequence) {} }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        _ = try await cancelled.value
    }

    @Test("appending to a closed log fails with a typed error")
    func closed() async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path)
        log.close()
        await #expect(throws: EventLogError.closed) { try await log.append(ingested("late")) }
    }
}

@Suite("event log scans")
struct EventLogScanTests {
    @Test("a scan by topic and key returns only events with both")
    func topicAndKey() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.path)
        var both: [UInt64] = []
        try log.scan(topic: .tickets, key: (.stream, "stream-alpha")) { both.append($0.sequence); return true }
        var check: [UInt64] = []
        try log.scan(key: (.stream, "stream-alpha")) { stored in
            if try stored.record().envelope.topic == .tickets { check.append(stored.sequence) }
            return true
        }
        #expect(!both.isEmpty)
        #expect(both == check)
    }
}

@Suite("asynchronous index")
struct IndexTests {
    @Test("scans agree before and after the index catches up")
    func lagDoesNotChangeAnswers() async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path)
        _ = try await log.append((0..<300).map { ingested("i\($0)", stream: "s\($0 % 7)", seq: Int64($0)) })
        func streamSequences() throws -> [UInt64] {
            var out: [UInt64] = []
            try log.scan(from: 20, key: (.stream, "s3")) { out.append($0.sequence); return true }
            return out
        }
        let beforeIndexing = try streamSequences()
        #expect(try log.indexNow() == 300)
        let afterIndexing = try streamSequences()
        #expect(beforeIndexing == afterIndexing)
        let expected: [UInt64] = stride(from: UInt64(4), through: 300, by: 7).filter { $0 >= 20 }
        #expect(afterIndexing == expected)
        _ = try await log.append((300..<310).map { ingested("i\($0)", stream: "s3", seq: Int64($0)) })
        let latest = Array(try streamSequences().suffix(10))
        #expect(latest == Array(UInt64(301)...UInt64(310)))
    }
}

@Suite("index recovery")
struct IndexRecoveryTests {
    @Test("an index ahead of the log (the log lost commits in a machine crash) is reset and rebuilt")
    func indexAheadOfLogIsReset() async throws {
        let directory = TemporaryDirectory()
        do {
            let longer = try openLog(directory.sub("longer"))
            _ = try await longer.append((0..<100).map { ingested("x\($0)", stream: "s\($0 % 3)", seq: Int64($0)) })
            try longer.indexNow()
            longer.close()
            let shorter = try openLog(directory.sub("shorter"))
            _ = try await shorter.append((0..<40).map { ingested("y\($0)", stream: "s\($0 % 5)", seq: Int64($0)) })
            shorter.close()
        }
        // Stand-in for a crash that lost log commits the index had already covered.
        try FileManager.default.removeItem(atPath: directory.sub("shorter/index"))
        try FileManager.default.copyItem(atPath: directory.sub("longer/index"), toPath: directory.sub("shorter/index"))
        let log = try openLog(directory.sub("shorter"))
        var scanned: [UInt64] = []
        try log.scan(key: (.stream, "s1")) { scanned.append($0.sequence); return true }
        #expect(scanned == Array(stride(from: UInt64(2), through: 40, by: 5)))
        #expect(try log.indexNow() == 40)
        var rescanned: [UInt64] = []
        try log.scan(key: (.stream, "s1")) { rescanned.append($0.sequence); return true }
        #expect(rescanned == scanned)
    }
}
