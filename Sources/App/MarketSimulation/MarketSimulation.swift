public import Broadcaster
public import EthCrypto
public import EventModel
import Foundation
import Orchestrator
import Payments
public import Settlement
import Telemetry
import Transcoding

/// One seeded run of the whole market in one process, in the spirit of TigerBeetle's VOPR: broadcasters (the product's
/// `StreamBroadcaster`), orchestrators (`OrchestratorNode` with its transcoders and `RedemptionService`) and the chain
/// (`ChainState`'s rules), over in-memory logs, an in-process wire and a virtual clock. Faults come from the seed:
/// crashes and restarts, tampered results, failing transcoders, dropped, duplicated and late messages, lost chain
/// answers, gas spikes. The invariants are checked after every step; the same seed replays the same run.
public enum MarketSimulation {
    /// The size of one run.
    public struct Parameters: Sendable, Codable {
        public var broadcasters = 2
        public var orchestrators = 3
        /// Segments per stream (one stream per broadcaster; one step per segment, 2 s of market time each).
        public var segments = 8
        /// Events each log holds at most.
        public var storeCapacity = 100_000
        public var planted: PlantedBug?

        public init() {}
    }

    /// What one run did, and the first invariant it broke (nil when all held).
    public struct Outcome: Sendable, Codable {
        public var seed: UInt64
        public var steps = 0
        public var segments = 0
        public var delivered = 0
        public var ticketsIssued = 0
        public var winners = 0
        public var redeemed = 0
        public var transactions = 0
        public var events = 0
        /// Market time covered (virtual milliseconds from the first step to the end of the drain).
        public var virtualMilliseconds: Int64 = 0
        public var rates = FaultRates()
        public var faults = FaultCounts()
        /// Each log's head hash, orchestrators then broadcasters: two runs of one seed give the same list.
        public var logHeads: [String] = []
        public var violation: MarketViolation?
    }

    static let segmentMilliseconds: Int64 = 2_000
    static let normalGas = UInt256(1_000)
    static let spikeGas = UInt256(40_000)

    /// Runs seed `seed`. `scratch` is a directory for the nodes' files (removed afterwards). `logs`, when given, receives
    /// each node's log at the end (named `orchestrator-N` and `broadcaster-N`), to inspect a run event by event.
    public static func run(seed: UInt64, parameters: Parameters = Parameters(), scratch: String,
                           logs: (@Sendable (String, [EventRecord]) -> Void)? = nil) async throws -> Outcome {
        let directory = scratch + "/seed-\(seed)"
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let market = try await Market(seed: seed, parameters: parameters, directory: directory)
        let outcome = await market.run()
        if let logs {
            for (index, orchestrator) in market.orchestrators.enumerated() { logs("orchestrator-\(index)", orchestrator.store.records) }
            for (index, broadcaster) in market.broadcasters.enumerated() { logs("broadcaster-\(index)", broadcaster.store.records) }
        }
        return outcome
    }
}

/// The nodes, the wire and the chain of one run, and the loop that drives them.
final class Market {
    let seed: UInt64
    let parameters: MarketSimulation.Parameters
    let clock = VirtualClock(start: 1_767_225_600_000)
    let chain: SimulatedChain
    let genesis: ChainState
    let faults: FaultPlan
    let orchestrators: [SimulatedOrchestrator]
    let network: SimulatedNetwork
    var broadcasters: [SimulatedBroadcaster] = []
    /// Orchestrators down until the step named (restarted then).
    var downUntil: [Int: Int] = [:]
    var outcome: MarketSimulation.Outcome
    var acknowledged: [(url: String, stream: String, seq: Int64, sender: Address)] = []

    init(seed: UInt64, parameters: MarketSimulation.Parameters, directory: String) async throws {
        self.seed = seed
        self.parameters = parameters
        var random = SplitMix64(seed: seed)
        let rates = FaultRates.drawn(&random)
        faults = FaultPlan(rates: rates, seed: random.next())
        outcome = MarketSimulation.Outcome(seed: seed, rates: rates)
        func key(_ role: String, _ index: Int) throws -> PrivateKey {
            try PrivateKey(bytes: Keccak256.hash(Array("streamflow market simulation \(seed) \(role) \(index)".utf8)).bytes)
        }
        let orchestratorKeys = try (0..<max(1, parameters.orchestrators)).map { try key("orchestrator", $0) }
        let broadcasterKeys = try (0..<max(1, parameters.broadcasters)).map { try key("broadcaster", $0) }
        let delegator = try key("delegator", 0).address
        var state = ChainState(config: ChainConfig(blocksPerRound: 20, ticketValidityRounds: 2, activeSetSize: 100,
                                                   gasPerTransaction: 100, gasPerTicket: 10))
        let ether = UInt256(1_000_000_000_000_000_000)
        for (index, orchestrator) in orchestratorKeys.enumerated() {
            let me = orchestrator.address
            _ = state.execute(.mint(to: me, amount: ether), from: me, gasPrice: .zero)
            _ = state.execute(.registerTranscoder(rewardCut: 0, feeShare: UInt64(random.below(1_000_001))), from: me, gasPrice: .zero)
            _ = state.execute(.stake(delegator: me, transcoder: me, amount: UInt256(UInt64(1_000 * (index + 1)))), from: me, gasPrice: .zero)
        }
        _ = state.execute(.mint(to: delegator, amount: ether), from: delegator, gasPrice: .zero)
        _ = state.execute(.stake(delegator: delegator, transcoder: orchestratorKeys[0].address, amount: UInt256(500)), from: delegator,
                          gasPrice: .zero)
        for broadcaster in broadcasterKeys {
            let me = broadcaster.address
            _ = state.execute(.mint(to: me, amount: ether), from: me, gasPrice: .zero)
            _ = state.execute(.fundDeposit(UInt256(10_000_000_000_000_000)), from: me, gasPrice: .zero)
            _ = state.execute(.fundReserve(UInt256(1_000_000_000_000_000)), from: me, gasPrice: .zero)
        }
        state.advance(blocks: state.config.blocksPerRound)
        let metrics = MetricsRegistry()
        genesis = state
        let chain = SimulatedChain(genesis: state)
        self.chain = chain
        let clock = clock
        let policy = TicketPolicy(expectedValue: UInt256(1_000_000), redeemGas: 1, txCostMultiplier: 5, paramsValidityBlocks: 40,
                                  ticketValidityRounds: 2)
        let redeemerPolicy = RedeemerPolicy(maxCostShare: 10_000, maxBatch: 20, minBatch: 3)
        orchestrators = try orchestratorKeys.enumerated().map { index, key in
            SimulatedOrchestrator(key: key, url: "https://o\(index).sim:8935",
                                  price: try PriceInfo(pricePerUnit: UInt256(UInt64(1 + random.below(3))), pixelsPerUnit: .one),
                                  policy: policy, redeemerPolicy: redeemerPolicy, transcoders: 1 + random.below(2),
                                  directory: directory + "/o\(index)", chain: chain, clock: clock,
                                  storeCapacity: parameters.storeCapacity, planted: parameters.planted, metrics: metrics)
        }
        let network = SimulatedNetwork(orchestrators: orchestrators, faults: faults, clock: clock)
        self.network = network
        network.gasPrice = MarketSimulation.normalGas
        for orchestrator in orchestrators { try await orchestrator.start() }
        let candidates = orchestrators.map {
            OrchestratorCandidate(address: $0.address, url: $0.url, pricePerPixel: $0.price.pricePerUnit.doubleValue,
                                  stake: state.stake(of: $0.address).doubleValue)
        }
        broadcasters = broadcasterKeys.enumerated().map { index, key in
            SimulatedBroadcaster(index: index, key: key, candidates: candidates, selectionSeed: random.next(),
                                 directory: directory + "/b\(index)", funds: state.sender(key.address), network: network, clock: clock,
                                 storeCapacity: parameters.storeCapacity, metrics: metrics)
        }
    }

    lazy var checks = MarketChecks(orchestrators: orchestrators, broadcasterStores: broadcasters.map(\.store), chain: chain)

    func run() async -> MarketSimulation.Outcome {
        let started = clock.nowMilliseconds()
        do {
            for step in 0..<max(1, parameters.segments) {
                outcome.steps = step + 1
                try await self.step(step)
                if let (invariant, detail) = try checks.everyStep(full: false) {
                    outcome.violation = MarketViolation(seed: seed, step: step, invariant: invariant, detail: detail)
                    break
                }
                try checkAcknowledged()
            }
            if outcome.violation == nil {
                try await drain()
                if let (invariant, detail) = try checks.atEnd(senders: broadcasters.map(\.key.address), genesis: genesis) {
                    outcome.violation = MarketViolation(seed: seed, step: outcome.steps, invariant: invariant, detail: detail)
                }
            }
        } catch let violation as MarketViolation {
            outcome.violation = violation
        } catch {
            outcome.violation = MarketViolation(seed: seed, step: outcome.steps, invariant: .logIntact, detail: "the run failed: \(error)")
        }
        outcome.virtualMilliseconds = clock.nowMilliseconds() - started
        summarize()
        return outcome
    }

    /// One step: 2 s of market time. Faults are drawn, each broadcaster sends its next segment, the logs commit, the
    /// redeemers run at this step's gas price, and the chain mines a block.
    func step(_ step: Int) async throws {
        clock.advance(milliseconds: MarketSimulation.segmentMilliseconds)
        try await nodeFaults(step)
        await network.deliverDelayed()
        for broadcaster in broadcasters {
            let segment = broadcaster.segment(seq: Int64(step), seed: seed)
            let result = await broadcaster.current.send(segment)
            outcome.segments += 1
            if let url = result.deliveredBy {
                outcome.delivered += 1
                acknowledged.append((url, broadcaster.stream, Int64(step), broadcaster.key.address))
            }
        }
        for orchestrator in orchestrators { orchestrator.store.commit() }
        for broadcaster in broadcasters { broadcaster.store.commit() }
        let spike = faults.roll(\.gasSpike)
        if spike { network.count { $0.gasSpikeSteps += 1 } }
        network.gasPrice = spike ? MarketSimulation.spikeGas : MarketSimulation.normalGas
        try await redeem(withFaults: true)
        try chain.advance(blocks: 1)
    }

    /// Crashes, restarts, tampering, failing transcoders and broadcaster restarts for this step.
    func nodeFaults(_ step: Int) async throws {
        for (index, orchestrator) in orchestrators.enumerated() {
            if orchestrator.isUp {
                if faults.roll(\.orchestratorCrash) {
                    let lost = orchestrator.crash()
                    downUntil[index] = step + 1 + faults.below(3)
                    network.count {
                        $0.crashes += 1
                        $0.eventsLostInCrashes += lost
                    }
                }
            } else if let until = downUntil[index], step >= until {
                downUntil[index] = nil
                try await orchestrator.start()
            }
            let tamper = faults.roll(\.orchestratorTamper)
            orchestrator.tamper.set(tamper)
            if tamper { network.count { $0.tamperedSegments += 1 } }
            for transcoder in orchestrator.transcoders where faults.roll(\.transcoderFailure) {
                transcoder.failNext(1 + faults.below(2), with: faults.below(2) == 0 ? .timeout : .disconnected)
                network.count { $0.transcoderFailures += 1 }
            }
        }
        for broadcaster in broadcasters where faults.roll(\.broadcasterRestart) {
            broadcaster.restart()
            network.count { $0.broadcasterRestarts += 1 }
        }
    }

    /// One redemption step on every running orchestrator. A submission the chain fault swallowed is the fault's doing;
    /// the redeemer finds out on a later step (or at restart).
    func redeem(withFaults: Bool) async throws {
        for orchestrator in orchestrators {
            guard let redemption = orchestrator.redemption else { continue }
            if withFaults {
                if faults.roll(\.chainDrop) {
                    chain.failNextSubmission(.dropped)
                } else if faults.roll(\.chainAnswerLost) {
                    chain.failNextSubmission(.answerLost)
                }
            }
            do {
                _ = try await redemption.step(gasPrice: network.gasPrice)
            } catch let failure as SimulatedChain.SubmitError {
                network.count { if failure == .dropped { $0.chainDrops += 1 } else { $0.chainAnswersLost += 1 } }
            }
            chain.failNextSubmission(nil)
        }
    }

    /// The market winds down: no more faults, every orchestrator up, gas normal; the redeemers run while rounds pass, so
    /// winners gathered below a batch become urgent and are redeemed before they expire.
    func drain() async throws {
        for (index, orchestrator) in orchestrators.enumerated() where !orchestrator.isUp {
            downUntil[index] = nil
            try await orchestrator.start()
        }
        orchestrators.forEach { $0.tamper.set(false) }
        // The restarted pools' `transcoder.lost` events reach the log at the group commit, as in a running node.
        for orchestrator in orchestrators { orchestrator.store.commit() }
        network.gasPrice = MarketSimulation.normalGas
        let blocks = chain.state.config.blocksPerRound / 4
        for _ in 0..<16 {
            try await redeem(withFaults: false)
            let pending = try orchestrators.reduce(0) { total, orchestrator in
                let ledger = try orchestrator.store.paymentsLedger()
                return total + ledger.pending.values.filter { $0.recipient == orchestrator.address.checksummed }.count
            }
            if pending == 0 { break }
            clock.advance(milliseconds: Int64(blocks) * 1_000)
            try chain.advance(blocks: blocks)
        }
    }

    /// Every segment a broadcaster got a verified result for is charged in its deliverer's durable log (read after the
    /// step's checks have folded the logs).
    func checkAcknowledged() throws {
        for (url, stream, seq, sender) in acknowledged {
            guard let index = orchestrators.firstIndex(where: { $0.url == url }) else { continue }
            if !checks.charged(orchestrator: index, sender: sender, stream: stream, seq: seq) {
                throw MarketViolation(seed: seed, step: Int(seq), invariant: .acknowledgedSegmentDurable,
                                      detail: "\(stream) segment \(seq) delivered by \(url), but its charge is not in that log")
            }
        }
        acknowledged.removeAll()
    }

    /// Counts from the logs and the chain, and each log's head.
    func summarize() {
        outcome.faults = network.counts
        let stores = orchestrators.map(\.store) + broadcasters.map(\.store)
        outcome.events = stores.reduce(0) { $0 + Int($1.head.sequence) }
        outcome.logHeads = stores.map { $0.head.hash.hex }
        outcome.winners = checks.winners
        outcome.redeemed = checks.redeemed
        outcome.ticketsIssued = broadcasters.reduce(0) { $0 + $1.ticketsIssued }
        outcome.transactions = chain.state.fees.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.transactions } }
    }
}
