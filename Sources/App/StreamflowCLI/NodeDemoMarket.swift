import Broadcaster
import Edge
import EthCrypto
import EventLog
import EventModel
import Foundation
import Drills
import Orchestrator
import Payments
import Projections
import Settlement
import StreamflowNode
import Transcoding

/// The demo's market, all in one process on loopback: a local settlement chain (genesis: 4 registered
/// orchestrators with different stakes and a delegator, a funded broadcaster), 4 orchestrator edges with
/// different prices and 2 in-process transcoders each — one tampering (a labelled fault) — and a redemption
/// service per orchestrator. Everything writes to one log under `DIR/log`; the chain lives in `DIR/chain`.
final class NodeDemoMarket: MainDemoMarket {
    /// One orchestrator of the demo: its key, node (built by the composition root, on the market's shared log), redeemer
    /// and the role it plays.
    struct Orchestrator {
        let name: String
        let key: PrivateKey
        let node: Node
        var running: RunningNode?
        let redemption: RedemptionService
        let pricePerPixel: UInt64
        let stake: UInt64
        var url = ""
    }

    static let roles: [(name: String, price: UInt64, stake: UInt64, tamper: Bool)] = [
        ("alpha", 1_000, 4_000, false), ("bravo", 1_200, 2_500, false), ("charlie", 900, 6_000, true), ("delta", 1_500, 1_500, false),
    ]
    /// Wei per gas on this chain (an L2-like price; face values and the redeemer's 1% rule are sized to it).
    static let gasPriceWei: Double = 200
    static let blocksPerSegment: UInt64 = 5

    let directory: String
    let log: EventLog
    let sink: LogEventSink
    /// The log's projection host: the redeemers read their winners from it.
    let host: ProjectionHost
    private var hosting: Task<Void, any Error>?
    let chain: LocalChain
    let gas: GasPriceFeed
    let broadcaster: PrivateKey
    var orchestrators: [Orchestrator] = []

    init(directory: String, profiles: [VideoProfile]) async throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        log = try EventLog(directory: directory + "/log")
        sink = LogEventSink(log: log)
        host = try ProjectionHost(log: log, projections: BuiltInProjections.node)
        gas = GasPriceFeed.model(seed: 7, hours: 1, baseGwei: Self.gasPriceWei / 1e9)
        broadcaster = try PrivateKey.generate()
        let keys = try Self.roles.map { _ in try PrivateKey.generate() }
        let delegator = try PrivateKey.generate()
        let sender = broadcaster.address
        chain = try LocalChain(directory: directory + "/chain", genesis: {
            var genesis = ChainState(config: ChainConfig(blocksPerRound: 50, activeSetSize: 100))
            let ether = UInt256(1_000_000_000_000_000_000)
            for account in [sender, delegator.address] + keys.map(\.address) {
                _ = genesis.execute(.mint(to: account, amount: (try? ether * UInt256(10)) ?? ether), from: account, gasPrice: .zero)
            }
            for (key, role) in zip(keys, Self.roles) {
                _ = genesis.execute(.registerTranscoder(rewardCut: 100_000, feeShare: 500_000), from: key.address, gasPrice: .zero)
                _ = genesis.execute(.stake(delegator: key.address, transcoder: key.address, amount: UInt256(role.stake)), from: key.address,
                                    gasPrice: .zero)
            }
            _ = genesis.execute(.stake(delegator: delegator.address, transcoder: keys[0].address, amount: UInt256(1_000)),
                                from: delegator.address, gasPrice: .zero)
            _ = genesis.execute(.fundDeposit(ether), from: sender, gasPrice: .zero)
            _ = genesis.execute(.fundReserve(ether), from: sender, gasPrice: .zero)
            genesis.advance(blocks: 50)
            return genesis
        }(), log: log)
        let chain = chain
        let gas = gas
        let context: @Sendable () -> ValidationContext = {
            let state = chain.state
            return ValidationContext(currentBlock: state.block, currentRound: state.round, roundBlockHashes: state.roundBlockHashes,
                                     gasPrice: gas.price(at: Double(state.block) * 2))
        }
        for (key, role) in zip(keys, Self.roles) {
            var configuration = NodeConfiguration(
                key: key, storage: .shared(log: log, host: host, sink: sink), outputDirectory: "\(directory)/orchestrators/\(role.name)",
                price: try PriceInfo(pricePerUnit: UInt256(role.price), pixelsPerUnit: .one), capacity: 4, profiles: profiles,
                transcoders: .workers([LocalTranscoder(id: "\(role.name)-t1"), LocalTranscoder(id: "\(role.name)-t2")]),
                chain: .external(context))
            configuration.ticketPolicy = TicketPolicy(expectedValue: UInt256(200_000_000), paramsValidityBlocks: 1_000)
            configuration.tls = try TLSIdentity.selfSigned(hosts: ["127.0.0.1"])
            if role.tamper { configuration.signer = FaultySigner(faults: NodeFaults(tamperRenditions: true)) }
            let node = try await Node.open(configuration)
            // The demo steps the redeemers itself on its gas model; each tells its node's recipient what was settled.
            let recipient = node.orchestrator.intake.recipient
            let redemption = try RedemptionService(chain: chain, store: host, sink: sink, orchestrator: key.address, clock: SystemClock(),
                                                   onRecorded: { envelopes in
                                                       for envelope in envelopes {
                                                           if let event = PaymentEvent(envelope: envelope) { recipient.settle(event) }
                                                       }
                                                   })
            orchestrators.append(Orchestrator(name: role.name, key: key, node: node, redemption: redemption,
                                              pricePerPixel: role.price, stake: role.stake))
        }
    }

    /// Starts every orchestrator (gRPC and HTTPS edge, self-signed TLS) and registers each one's gRPC address on
    /// the chain (ServiceRegistry).
    func start() async throws {
        let host = host
        hosting = Task { try await host.run() }
        for index in orchestrators.indices {
            let running = try await RunningNode.start(orchestrators[index].node)
            orchestrators[index].running = running
            let url = try await running.node.broadcasterAddress()
            orchestrators[index].url = url
            _ = try chain.submit(.setServiceURI(url), from: orchestrators[index].key.address, gasPrice: .one,
                                 id: "demo/service-uri/\(orchestrators[index].name)")
        }
    }

    var members: [DemoMember] { orchestrators.map { DemoMember(name: $0.name, url: $0.url, pricePerPixel: $0.pricePerPixel) } }
    var funds: (deposit: UInt256, reserve: UInt256) { (UInt256(1_000_000_000_000_000_000), UInt256(1_000_000_000_000_000_000)) }
    var maxPricePerPixel: Double { 2_000 }
    var chainDescription: String { "a local settlement chain and its redeemers" }

    /// The active set as the broadcaster reads it from the chain: service URI → total stake.
    func activeSet() -> [String: Double] { chain.state.serviceStakes }

    /// Advances the chain as media time passes (a few blocks per segment), redeeming every 5 segments.
    func segmentDone(index: Int) async throws {
        try chain.advance(blocks: Self.blocksPerSegment)
        if index % 5 == 4 { _ = try await redeem() }
    }

    /// The chain's fee books: what it paid and the gas, and the log's report reconciled with them.
    func settlement(report: FeeReport) async throws -> DemoSettlementTotals {
        var totals = DemoSettlementTotals(reconciledWith: "the chain")
        for round in chain.state.fees.values {
            for entry in round.values {
                totals.gasCost = (try? totals.gasCost + entry.gasCost) ?? totals.gasCost
                totals.redeemedValue = (try? totals.redeemedValue + entry.total) ?? totals.redeemedValue
                totals.transactions += entry.transactions
            }
        }
        totals.differences = FeeReconciliation.differences(log: report, chain: FeeReport(chain: chain.state, by: .orchestrator))
        return totals
    }

    /// One redemption step for every orchestrator at the current gas price; returns tickets redeemed.
    func redeem() async throws -> Int {
        let price = gas.price(at: Double(chain.state.block) * 2)
        var redeemed = 0
        for orchestrator in orchestrators { redeemed += try await orchestrator.redemption.step(gasPrice: price).redeemed }
        return redeemed
    }

    /// Ends the run: redeem what is left (a round at a time, so the redeemer's last-round flush runs).
    func settle() async throws {
        _ = try await redeem()
        for _ in 0..<3 {
            try chain.advance(blocks: chain.state.config.blocksPerRound)
            _ = try await redeem()
        }
    }

    /// Stops every orchestrator still running (gracefully: requests in flight finish).
    func stopAll() async {
        for index in orchestrators.indices { await stop(index) }
    }

    /// Stops one orchestrator (the demo's dying one, or all at the end).
    func stop(_ index: Int) async {
        guard let running = orchestrators[index].running else { return }
        orchestrators[index].running = nil
        do { try await running.stop() } catch { print("   \(orchestrators[index].name) stopped with an error: \(error)") }
    }

    /// Stops the projection host once it has applied everything committed (it persists its snapshot).
    func stopProjections() async throws {
        try await host.waitUntilApplied(through: log.head.sequence)
        hosting?.cancel()
        try await hosting?.value
        hosting = nil
    }
}
