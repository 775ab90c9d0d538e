import EventLog
import EventModel
import Foundation
import LMDB
import Testing

/// Idempotency now that the id index is built behind the writer: the newest ids live in memory,
/// older ones in the index, and every path (before indexing, after, across a reopen, read-only)
/// must still find a repeat.
@Suite("idempotency across the asynchronous id index")
struct IdempotencyTests {
    @Test("a repeated id is refused whether or not the index covers it yet")
    func repeatsBeforeAndAfterIndexing() async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path)
        _ = try await log.append((0..<200).map { ingested("e\($0)", seq: Int64($0)) })
        let early = try await log.append([ingested("e5", seq: 5), ingested("e150", seq: 999)])
        #expect(early == [.duplicate(sequence: 6, sameContent: true), .duplicate(sequence: 151, sameContent: false)])
        #expect(try log.indexNow() == 200)
        let late = try await log.append([ingested("e5", seq: 5), ingested("e199", seq: 199), ingested("new", seq: 7)])
        #expect(late[0] == .duplicate(sequence: 6, sameContent: true))
        #expect(late[1] == .duplicate(sequence: 200, sameContent: true))
        #expect(late[2].sequence == 201)
        #expect(try log.sequence(ofID: "e5") == 6)
        #expect(try log.sequence(ofID: "new") == 201)
        #expect(try log.sequence(ofID: "absent") == nil)
        #expect(log.head.sequence == 201)
    }

    @Test("ids the index had not covered at a crash are still refused after reopening")
    func unindexedTailSurvivesReopen() async throws {
        let directory = TemporaryDirectory()
        do {
            let log = try openLog(directory.path)
            _ = try await log.append((0..<50).map { ingested("a\($0)", seq: Int64($0)) })
            #expect(try log.indexNow() == 50)
            log.close()
        }
        try FileManager.default.copyItem(atPath: directory.sub("index"), toPath: directory.sub("saved-index"))
        do {
            let log = try openLog(directory.path)
            _ = try await log.append((50..<120).map { ingested("a\($0)", seq: Int64($0)) })
            log.close()
        }
        // Stand-in for a crash that lost the index's last batches: the index covers 50 of 120 events.
        try FileManager.default.removeItem(atPath: directory.sub("index"))
        try FileManager.default.moveItem(atPath: directory.sub("saved-index"), toPath: directory.sub("index"))

        var readOnly = EventLog.Options()
        readOnly.readOnly = true
        let reader = try EventLog(directory: directory.path, options: readOnly)
        #expect(try reader.sequence(ofID: "a10") == 11)
        #expect(try reader.sequence(ofID: "a100") == 101)
        #expect(try reader.sequence(ofID: "b1") == nil)
        reader.close()

        let log = try openLog(directory.path)
        let repeats = try await log.append([ingested("a10", seq: 10), ingested("a100", seq: 100), ingested("b1", seq: 1)])
        #expect(repeats[0] == .duplicate(sequence: 11, sameContent: true))
        #expect(repeats[1] == .duplicate(sequence: 101, sameContent: true))
        #expect(repeats[2].sequence == 121)
        #expect(try log.indexNow() == 121)
        let again = try await log.append([ingested("a100", seq: 100)])
        #expect(again == [.duplicate(sequence: 101, sameContent: true)])
    }

    @Test("an index of the older layout (no ids) is reset and rebuilt, and repeats are still refused")
    func olderIndexLayoutIsRebuilt() async throws {
        let directory = TemporaryDirectory()
        do {
            let log = try openLog(directory.path)
            _ = try await log.append((0..<30).map { ingested("c\($0)", stream: "s\($0 % 3)", seq: Int64($0)) })
            #expect(try log.indexNow() == 30)
            log.close()
        }
        // Layout 1 had no ids database and no layout stamp: drop both, keep the topic/key entries.
        do {
            let index = try LMDBEnvironment(path: directory.sub("index"))
            let (ids, meta) = (try index.database("ids"), try index.database("meta"))
            try index.write { transaction in
                try transaction.clear(ids)
                _ = try transaction.delete(Array("layout".utf8), in: meta)
            }
        }

        let log = try openLog(directory.path)
        let repeats = try await log.append([ingested("c3", stream: "s0", seq: 3), ingested("c29", stream: "s2", seq: 29)])
        #expect(repeats == [.duplicate(sequence: 4, sameContent: true), .duplicate(sequence: 30, sameContent: true)])
        #expect(try log.indexNow() == 30)
        #expect(try log.sequence(ofID: "c3") == 4)
        var streamOne: [UInt64] = []
        try log.scan(key: (.stream, "s1")) { streamOne.append($0.sequence); return true }
        #expect(streamOne == Array(stride(from: UInt64(2), through: 30, by: 3)))
    }
}
