public import EventModel
import Foundation

/// Many seeds of the market simulation, `parallelism` at a time (each run is single-threaded and independent), and what
/// they add up to.
public enum MarketSweep {
    /// What a sweep covered and found.
    public struct Summary: Sendable, Codable {
        public var seeds = 0
        public var segments = 0
        public var delivered = 0
        public var ticketsIssued = 0
        public var winners = 0
        public var redeemed = 0
        public var transactions = 0
        public var events = 0
        public var virtualMilliseconds: Int64 = 0
        public var faults = FaultCounts()
        public var violations: [MarketViolation] = []
        public var wallSeconds = 0.0

        /// Simulated segments per second of wall time.
        public var segmentsPerSecond: Double { wallSeconds > 0 ? Double(segments) / wallSeconds : 0 }
        /// Market hours covered (each stream's time counts: two streams for an hour are two market-hours).
        public var marketHours: Double { Double(segments) * Double(MarketSimulation.segmentMilliseconds) / 3_600_000 }
    }

    /// Runs seeds `first ..< first + count` on `parallelism` threads of their own (lane k runs seeds k, k + parallelism,
    /// …), off the cooperative pool, at a lower priority when `background`; `onOutcome` hears each run as it ends (in no
    /// fixed order across lanes).
    public static func run(first: UInt64, count: Int, parameters: MarketSimulation.Parameters = MarketSimulation.Parameters(),
                           parallelism: Int = 2, background: Bool = false, scratch: String,
                           onOutcome: @escaping @Sendable (MarketSimulation.Outcome) -> Void = { _ in }) async throws -> Summary {
        let started = Date()
        let lanes = max(1, min(parallelism, max(1, count)))
        var summary = Summary()
        try await withThrowingTaskGroup(of: [MarketSimulation.Outcome].self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    let thread = SimulationThread(name: "simulation-\(lane)", background: background)
                    defer { thread.stop() }
                    return try await withTaskExecutorPreference(thread) {
                        var outcomes: [MarketSimulation.Outcome] = []
                        var index = lane
                        while index < count {
                            let outcome = try await MarketSimulation.run(seed: first &+ UInt64(index), parameters: parameters, scratch: scratch)
                            onOutcome(outcome)
                            outcomes.append(outcome)
                            index += lanes
                        }
                        return outcomes
                    }
                }
            }
            for try await outcomes in group { outcomes.forEach { summary.add($0) } }
        }
        summary.violations.sort { $0.seed < $1.seed }
        summary.wallSeconds = Date().timeIntervalSince(started)
        return summary
    }

    /// One seed on a thread of its own (see `run(first:count:…)`).
    public static func one(seed: UInt64, parameters: MarketSimulation.Parameters = MarketSimulation.Parameters(), scratch: String,
                           logs: (@Sendable (String, [EventRecord]) -> Void)? = nil) async throws -> MarketSimulation.Outcome {
        let thread = SimulationThread(name: "simulation")
        defer { thread.stop() }
        return try await withTaskExecutorPreference(thread) {
            try await MarketSimulation.run(seed: seed, parameters: parameters, scratch: scratch, logs: logs)
        }
    }
}

extension MarketSweep.Summary {
    mutating func add(_ outcome: MarketSimulation.Outcome) {
        seeds += 1
        segments += outcome.segments
        delivered += outcome.delivered
        ticketsIssued += outcome.ticketsIssued
        winners += outcome.winners
        redeemed += outcome.redeemed
        transactions += outcome.transactions
        events += outcome.events
        virtualMilliseconds += outcome.virtualMilliseconds
        faults = faults + outcome.faults
        if let violation = outcome.violation { violations.append(violation) }
    }
}
