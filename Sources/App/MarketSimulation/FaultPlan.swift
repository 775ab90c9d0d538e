import EventModel
import Synchronization

/// How often each fault strikes in one simulated run (probabilities per message, or per node per step). Drawn from
/// the seed: some runs are calm, some stormy, and each kind of fault is switched off in some runs (swarm testing), so
/// rare combinations come up across seeds.
public struct FaultRates: Sendable, Codable, Equatable {
    public var dropMessage = 0.0
    public var duplicateMessage = 0.0
    public var delayedDuplicate = 0.0
    public var loseAnswer = 0.0
    public var orchestratorCrash = 0.0
    public var orchestratorTamper = 0.0
    public var transcoderFailure = 0.0
    public var broadcasterRestart = 0.0
    public var chainDrop = 0.0
    public var chainAnswerLost = 0.0
    public var gasSpike = 0.0

    public init() {}

    /// The rates of seed `seed`'s run.
    static func drawn(_ random: inout SplitMix64) -> FaultRates {
        func rate(_ top: Double) -> Double { random.unit() < 0.3 ? 0 : top * random.unit() }
        var rates = FaultRates()
        rates.dropMessage = rate(0.06)
        rates.duplicateMessage = rate(0.08)
        rates.delayedDuplicate = rate(0.06)
        rates.loseAnswer = rate(0.06)
        rates.orchestratorCrash = rate(0.06)
        rates.orchestratorTamper = rate(0.05)
        rates.transcoderFailure = rate(0.08)
        rates.broadcasterRestart = rate(0.05)
        rates.chainDrop = rate(0.15)
        rates.chainAnswerLost = rate(0.15)
        rates.gasSpike = rate(0.15)
        return rates
    }
}

/// The seeded dice every fault decision is rolled with, in the one order the run makes its decisions.
final class FaultPlan: Sendable {
    let rates: FaultRates
    private let dice: Mutex<SplitMix64>

    init(rates: FaultRates, seed: UInt64) {
        self.rates = rates
        dice = Mutex(SplitMix64(seed: seed))
    }

    /// Whether the fault at `rate` strikes now.
    func roll(_ rate: KeyPath<FaultRates, Double>) -> Bool {
        let chance = rates[keyPath: rate]
        guard chance > 0 else { return false }
        return dice.withLock { $0.unit() } < chance
    }

    /// A number in 0..<bound.
    func below(_ bound: Int) -> Int { dice.withLock { $0.below(bound) } }
}

/// How many faults of each kind a run suffered (the report shows them, so a run that tested nothing is visible).
public struct FaultCounts: Sendable, Codable, Equatable {
    public var droppedMessages = 0
    public var duplicatedMessages = 0
    public var delayedDuplicates = 0
    public var delayedRefused = 0
    public var lostAnswers = 0
    public var crashes = 0
    public var eventsLostInCrashes = 0
    public var tamperedSegments = 0
    public var transcoderFailures = 0
    public var broadcasterRestarts = 0
    public var chainDrops = 0
    public var chainAnswersLost = 0
    public var gasSpikeSteps = 0

    public init() {}

    public static func + (lhs: FaultCounts, rhs: FaultCounts) -> FaultCounts {
        var sum = lhs
        sum.droppedMessages += rhs.droppedMessages
        sum.duplicatedMessages += rhs.duplicatedMessages
        sum.delayedDuplicates += rhs.delayedDuplicates
        sum.delayedRefused += rhs.delayedRefused
        sum.lostAnswers += rhs.lostAnswers
        sum.crashes += rhs.crashes
        sum.eventsLostInCrashes += rhs.eventsLostInCrashes
        sum.tamperedSegments += rhs.tamperedSegments
        sum.transcoderFailures += rhs.transcoderFailures
        sum.broadcasterRestarts += rhs.broadcasterRestarts
        sum.chainDrops += rhs.chainDrops
        sum.chainAnswersLost += rhs.chainAnswersLost
        sum.gasSpikeSteps += rhs.gasSpikeSteps
        return sum
    }
}

/// A bug planted on purpose, to show the simulation finds it (never on outside `streamflow simulate market --plant`).
public enum PlantedBug: String, Sendable, CaseIterable, Codable {
    /// A restarted orchestrator starts from an empty recipient ledger instead of the log's: its nonce checks forget
    /// every ticket it took before the restart, so a payment delivered again is credited twice.
    case forgetLedgerOnRestart = "forget-ledger-on-restart"
}
