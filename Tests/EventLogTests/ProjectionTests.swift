import Audit
import EventLog
import Projections
import EventModel
import Foundation
import JSONCore
import Scenarios
import Testing

@Suite("projections")
struct ProjectionTests {
    @Test("catch-up stores state and checkpoint together; rebuild from 0 is byte-identical")
    func catchUpAndRebuild() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.path)
        let host = try ProjectionHost(log: log, options: ProjectionHostOptions(batchSize: 17))
        #expect(try host.catchUp() == log.head.sequence)
        let results = try ProjectionRebuild.run(log)
        #expect(results.count == BuiltInProjections.all.count)
        for result in results {
            #expect(result.matches, "\(result.name)")
            #expect(result.checkpoint == log.head.sequence)
        }
        // The fold is the same whatever the batch boundaries were.
        let streams = try #require(try storedState(log, "streams"))
        #expect(streams == (try ProjectionReplay.fold(StreamsProjection(), log: log, through: log.head.sequence)))
    }

    @Test("a reopened runner continues from its checkpoint without applying anything twice")
    func resume() async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path)
        _ = try await log.append((0..<10).map { ingested("a\($0)", seq: Int64($0)) })
        try ProjectionHost(log: log).catchUp()
        _ = try await log.append((10..<15).map { ingested("a\($0)", seq: Int64($0)) })
        let resumed = try ProjectionHost(log: log)
        #expect(resumed.applied == 10)
        try resumed.catchUp()
        let counts = try JSONParser.parse(#require(try storedState(log, "counts")))
        #expect(counts["total"]?.integerValue == 15)
        #expect(try ProjectionRebuild.run(log).allSatisfy(\.matches))
    }

    @Test("the reference scenario folds to what the scenario says happened")
    func scenarioFacts() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.path)
        try ProjectionHost(log: log).catchUp()
        let streams = try JSONParser.parse(#require(try storedState(log, "streams")))
        #expect(streams["stream-alpha"]?["delivered"]?.integerValue == 6)
        #expect(streams["stream-beta"]?["delivered"]?.integerValue == 6)
        #expect(streams["stream-beta"]?["verificationFailures"]?.integerValue == 1)
        #expect(streams["stream-beta"]?["failedAttempts"]?.integerValue == 1)
        let disputes = try JSONParser.parse(#require(try storedState(log, "disputes")))
        guard case .object(let byOrchestrator) = disputes else { Issue.record("disputes is not an object"); return }
        #expect(byOrchestrator.count == 1)
        #expect(byOrchestrator.values.first?["faults"]?.arrayValue?.count == 1)
        let tickets = try JSONParser.parse(#require(try storedState(log, "tickets")))
        guard case .object(let recipients) = tickets else { Issue.record("tickets is not an object"); return }
        let pending = recipients.values.reduce(0) { $0 + ($1["pending"]?.objectValue?.count ?? 0) }
        let redeemed = recipients.values.reduce(0) { $0 + Int($1["redeemed"]?.integerValue ?? 0) }
        #expect(pending == 0)
        #expect(redeemed == 4)
    }
}

/// Test double: a count whose encoding fails while `failing` is on (stands in for a storage failure).
struct FlakyCount: Codable, Sendable, Equatable {
    struct Failure: Error {}
    nonisolated(unsafe) static var failing = false
    var count = 0

    init() {}
    init(from decoder: any Decoder) throws { count = try decoder.singleValueContainer().decode(Int.self) }
    func encode(to encoder: any Encoder) throws {
        if Self.failing { throw Failure() }
        var container = encoder.singleValueContainer()
        try container.encode(count)
    }
}

struct FlakyCountProjection: Projection {
    var name: String { "flaky-count" }
    var initialState: FlakyCount { FlakyCount() }
    func apply(_ state: inout FlakyCount, _ event: EventRecord) { state.count += 1 }
}

@Suite("projection failure", .serialized)
struct ProjectionFailureTests {
    @Test("a failed snapshot stops the host with a typed error; a host restarted from the stored state applies each event once")
    func failureDoesNotDoubleApply() async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path)
        _ = try await log.append((0..<10).map { ingested("f\($0)", seq: Int64($0)) })
        let host = try ProjectionHost(log: log, projections: [FlakyCountProjection()])
        try host.catchUp()
        _ = try await log.append((10..<20).map { ingested("f\($0)", seq: Int64($0)) })
        FlakyCount.failing = true
        #expect(throws: ProjectionHostError.self) { try host.catchUp() }
        FlakyCount.failing = false
        guard case .snapshotFailed? = host.failure else {
            Issue.record("expected snapshotFailed, got \(String(describing: host.failure))")
            return
        }
        #expect(throws: ProjectionHostError.self) { try host.catchUp() }  // a failed host stays failed
        #expect(String(decoding: try #require(try storedState(log, "flaky-count")), as: UTF8.self) == "10")
        let restarted = try ProjectionHost(log: log, projections: [FlakyCountProjection()])
        #expect(restarted.applied == 10)
        try restarted.catchUp()
        let stored = try #require(try storedState(log, "flaky-count"))
        #expect(String(decoding: stored, as: UTF8.self) == "20")
    }
}

/// The stored snapshot bytes of one projection (nil when it has none).
func storedState(_ log: EventLog, _ name: String) throws -> [UInt8]? {
    try ProjectionReplay.storedStatesByName(log: log)[name]?.1
}
