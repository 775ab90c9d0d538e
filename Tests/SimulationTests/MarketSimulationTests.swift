import Foundation
@testable import MarketSimulation
import Testing

/// The seeded simulation of the whole market: a thousand seeds hold every invariant under faults of every kind, a seed
/// replays to the same logs, and a planted bug is found and replays to the same violation.
@Suite("market simulation")
struct MarketSimulationTests {
    static func scratch(_ name: String) -> String {
        NSTemporaryDirectory() + "streamflow-simulation-tests-\(getpid())-\(name)"
    }

    @Test("2,000 seeds: every invariant holds after every step, every winner is redeemed once, and every kind of fault struck")
    func thousandSeeds() async throws {
        let scratch = Self.scratch("sweep")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // Two lanes at low priority (nice 10): the suites with deadlines running beside this one keep the cores they need.
        let summary = try await MarketSweep.run(first: 1, count: 2_000, parallelism: 2, background: true, scratch: scratch)
        #expect(summary.seeds == 2_000)
        #expect(summary.violations.isEmpty, "\(summary.violations.prefix(3).map(\.description))")
        #expect(summary.segments == 2_000 * 2 * 8)
        #expect(summary.delivered > summary.segments * 9 / 10)
        #expect(summary.winners > 1_000)
        #expect(summary.redeemed == summary.winners)
        let faults = summary.faults
        for (name, count) in [("crashes", faults.crashes), ("lost events", faults.eventsLostInCrashes),
                              ("broadcaster restarts", faults.broadcasterRestarts), ("tampering", faults.tamperedSegments),
                              ("transcoder failures", faults.transcoderFailures), ("dropped", faults.droppedMessages),
                              ("duplicated", faults.duplicatedMessages), ("late duplicates", faults.delayedDuplicates),
                              ("lost answers", faults.lostAnswers), ("dropped transactions", faults.chainDrops),
                              ("unanswered transactions", faults.chainAnswersLost), ("gas spikes", faults.gasSpikeSteps)] {
            #expect(count > 10, "\(name): \(count)")
        }
    }

    @Test("a seed replays exactly: the same outcome and the same log hashes; another seed differs")
    func replaysExactly() async throws {
        let scratch = Self.scratch("replay")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let first = try await MarketSweep.one(seed: 42, scratch: scratch)
        let second = try await MarketSweep.one(seed: 42, scratch: scratch)
        let other = try await MarketSweep.one(seed: 43, scratch: scratch)
        #expect(first.violation == nil)
        #expect(first.logHeads == second.logHeads)
        #expect(first.logHeads.count == 5)
        #expect(first.events == second.events && first.winners == second.winners && first.faults == second.faults)
        #expect(first.logHeads != other.logHeads)
    }

    @Test("a planted bug (a restarted orchestrator forgets its ledger) is found, and its seed replays to the same violation")
    func findsPlantedBug() async throws {
        let scratch = Self.scratch("planted")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var parameters = MarketSimulation.Parameters()
        parameters.planted = .forgetLedgerOnRestart
        let summary = try await MarketSweep.run(first: 1, count: 30, parameters: parameters, parallelism: 1, background: true, scratch: scratch)
        let found = try #require(summary.violations.first)
        #expect(found.invariant == .replayRebuildsState || found.invariant == .ticketCreditedOnce)
        let again = try await MarketSweep.one(seed: found.seed, parameters: parameters, scratch: scratch)
        #expect(again.violation == found)
        // The same seed without the bug holds every invariant.
        let fixed = try await MarketSweep.one(seed: found.seed, scratch: scratch)
        #expect(fixed.violation == nil)
    }

    @Test("a longer run with more nodes holds: 4 broadcasters, 5 orchestrators, 60 segments each")
    func longerRun() async throws {
        let scratch = Self.scratch("longer")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var parameters = MarketSimulation.Parameters()
        (parameters.broadcasters, parameters.orchestrators, parameters.segments) = (4, 5, 60)
        let summary = try await MarketSweep.run(first: 5_000, count: 4, parameters: parameters, parallelism: 1, background: true, scratch: scratch)
        #expect(summary.violations.isEmpty, "\(summary.violations.map(\.description))")
        #expect(summary.segments == 4 * 4 * 60)
        #expect(summary.redeemed == summary.winners && summary.winners > 0)
    }

    @Test("a log that is full refuses the next event with notDurable, and keeps everything it took")
    func logBoundRefuses() async throws {
        let scratch = Self.scratch("bound")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var parameters = MarketSimulation.Parameters()
        parameters.storeCapacity = 40
        let outcome = try await MarketSweep.one(seed: 3, parameters: parameters, scratch: scratch)
        let violation = try #require(outcome.violation)
        #expect(violation.invariant == .logIntact)
        #expect(violation.detail.contains("full (40 events)"), "\(violation.detail)")
    }
}
