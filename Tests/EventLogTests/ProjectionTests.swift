import Audit
import EventLog
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
        let runner = try ProjectionRunner(log: log, projections: BuiltInProjections.all)
        #expect(try runner.catchUp(batchSize: 17) == log.head.sequence)
        let results = try ProjectionRebuild.run(log)
        #expect(results.count == 4)
        for result in results {
            #expect(result.matches, "\(result.name)")
            #expect(result.checkpoint == log.head.sequence)
        }
        // The fold is the same whatever the batch boundaries were.
        let streams = try #require(try runner.storedState(named: "streams"))
        #expect(streams == (try ProjectionReplay.fold(StreamsProjection(), log: log, through: log.head.sequence)))
    }

    @Test("a reopened runner continues from its checkpoint without applying anything twice")
    func resume() async throws {
        let directory = TemporaryDirectory()
        let log = try openLog(directory.path)
        _ = try await log.append((0..<10).map { ingested("a\($0)", seq: Int64($0)) })
        try ProjectionRunner(log: log, projections: BuiltInProjections.all).catchUp()
        _ = try await log.append((10..<15).map { ingested("a\($0)", seq: Int64($0)) })
        let resumed = try ProjectionRunner(log: log, projections: BuiltInProjections.all)
        #expect(resumed.appliedThrough == 10)
        try resumed.catchUp()
        let counts = try JSONParser.parse(#require(try resumed.storedState(named: "counts")))
        #expect(counts["total"]?.integerValue == 15)
        #expect(try ProjectionRebuild.run(log).allSatisfy(\.matches))
    }

    @Test("the reference scenario folds to what the scenario says happened")
    func scenarioFacts() async throws {
        let directory = TemporaryDirectory()
        let log = try await scenarioLog(directory.path)
        try ProjectionRunner(log: log, projections: BuiltInProjections.all).catchUp()
        let streams = try JSONParser.parse(#require(try ProjectionRunner(log: log, projections: []).storedState(named: "streams")))
        #expect(streams["stream-alpha"]?["delivered"]?.integerValue == 6)
        #expect(streams["stream-beta"]?["delivered"]?.integerValue == 6)
        #expect(streams["stream-beta"]?["verificationFailures"]?.integerValue == 1)
        #expect(streams["stream-beta"]?["failedAttempts"]?.integerValue == 1)
        let disputes = try JSONParser.parse(#require(try ProjectionRunner(log: log, projections: []).storedState(named: "disputes")))
        guard case .object(let byOrchestrator) = disputes else { Issue.record("disputes is not an object"); return }
        #expect(byOrchestrator.count == 1)
        #expect(byOrchestrator.values.first?["faults"]?.arrayValue?.count == 1)
        let tickets = try JSONParser.parse(#require(try ProjectionRunner(log: log, projections: []).storedState(named: "tickets")))
        guard case .object(let recipients) = tickets else { Issue.record("tickets is not an object"); return }
        let pending = recipients.values.reduce(0) { $0 + ($1["pending"]?.objectValue?.count ?? 0) }
        let redeemed = recipients.values.reduce(0) { $0 + Int($1["redeemed"]?.integerValue ?? 0) }
        #expect(pending == 0)
        #expect(redeemed == 4)
    }
}
