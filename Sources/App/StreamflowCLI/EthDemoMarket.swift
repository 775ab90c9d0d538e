import Benchmarks
import Drills
import Edge
import EthABI
import EthCrypto
import EthereumRedemption
import EthereumRPC
import EthereumSettlement
import LivepeerABI
import EventLog
import EventModel
import Foundation
import Orchestrator
import Payments
import Projections
import Settlement
import StreamflowNode
import Transcoding

/// The demo's market on a real chain over JSON-RPC (Livepeer's contracts; `scripts/dev-chain` starts one): the same 4
/// orchestrator nodes as `NodeDemoMarket` on one shared log, each settling as `orchestrator --eth-rpc` does (its chain
/// watcher and batch redeemer; alpha also initialises rounds), registered with `eth register`'s calls and found by the
/// broadcaster on the real active set; the broadcaster funded as `eth fund` does. The chain moves on its own. A node
/// that stops has its last winners cashed as `eth redeem` would; the log is reconciled with the TicketBroker's logs.
final class EthDemoMarket: MainDemoMarket {
    struct Settings: Sendable {
        var rpcURL: String
        var controller: Address
        /// Funded accounts: the broadcaster, then alpha, bravo, charlie and delta (orchestrators not bonded yet need LPT).
        var keys: [PrivateKey]
        var deposit = UInt256(1_000_000_000_000_000_000)
        var reserve = UInt256(1_000_000_000_000_000_000)
        /// How long the orchestrators may take to become active (the next round, initialised).
        var activationTimeout: Duration = .seconds(300)
    }

    /// One orchestrator node and its connection to the chain.
    struct Member {
        let name: String
        let key: PrivateKey
        let node: Node
        var running: RunningNode?
        let chain: EthereumNodeChain
        let pricePerPixel: UInt64
        let stake: UInt256
        var url = ""
    }

    /// Prices are the embedded demo's times this (5e5 wei a pixel and so; a 2 s segment of the two renditions then costs
    /// ~1e13 wei, under go-livepeer's broadcaster limit of 2e13 wei of EV a payment).
    static let priceScale: UInt64 = 500
    /// Each ticket's EV: ~50 tickets a segment.
    static let ticketEV = UInt256(200_000_000_000)
    /// go-livepeer's txCostMultiplier is 100; at an Arbitrum-like 0.01 gwei (scripts/dev-chain's tip) 10 gives face values of
    /// ~3.5e13 wei, so a minute of video has a few winners per orchestrator, each worth ~10× its share of a batch's gas.
    static let ticketMultiplier: UInt64 = 10
    static let minBatch = 5
    /// The embedded demo's: 10% of rewards kept, 50% of fees shared with delegators (parts per million).
    static let rewardCut: UInt64 = 100_000
    static let feeShare: UInt64 = 500_000
    static let lpt = UInt256(1_000_000_000_000_000_000)

    let settings: Settings
    let log: EventLog
    let sink: LogEventSink
    let host: ProjectionHost
    private var hosting: Task<Void, any Error>?
    let broadcaster: PrivateKey
    let reader: LivepeerReader
    private(set) var funds: (deposit: UInt256, reserve: UInt256) = (.zero, .zero)
    private(set) var orchestrators: [Member] = []
    /// The block before the demo's first transaction: the reconciliation reads the TicketBroker's logs from here.
    let startBlock: UInt64

    var members: [DemoMember] { orchestrators.map { DemoMember(name: $0.name, url: $0.url, pricePerPixel: $0.pricePerPixel) } }
    var maxPricePerPixel: Double { Double(2_000 * Self.priceScale) }
    var chainDescription: String {
        "Livepeer's contracts on chain \(reader.deployment.chainID) at \(settings.rpcURL) (each node its own redeemer; alpha initialises rounds)"
    }

    init(directory: String, profiles: [VideoProfile], settings: Settings) async throws {
        guard settings.keys.count >= 5 else {
            throw CLIError("--eth-keys: 5 funded accounts are needed (a broadcaster, then 4 orchestrators); the file has \(settings.keys.count)")
        }
        self.settings = settings
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        log = try EventLog(directory: directory + "/log")
        sink = LogEventSink(log: log)
        host = try ProjectionHost(log: log, projections: BuiltInProjections.node)
        broadcaster = settings.keys[0]
        for (key, role) in zip(settings.keys[1...4], NodeDemoMarket.roles) {
            let chainSettings = EthereumChainSettings(rpcURL: settings.rpcURL, controller: settings.controller, minBatch: Self.minBatch,
                                                      pollInterval: .milliseconds(500), initializeRounds: role.name == "alpha")
            let chain: EthereumNodeChain
            do { chain = try await EthereumNodeChain.connect(chainSettings, key: key) } catch { throw CLIError("--eth-rpc: \(error)") }
            let price = role.price * Self.priceScale
            var configuration = NodeConfiguration(
                key: key, storage: .shared(log: log, host: host, sink: sink), outputDirectory: "\(directory)/orchestrators/\(role.name)",
                price: try PriceInfo(pricePerUnit: UInt256(price), pixelsPerUnit: .one), capacity: 4, profiles: profiles,
                transcoders: .workers([LocalTranscoder(id: "\(role.name)-t1"), LocalTranscoder(id: "\(role.name)-t2")]),
                chain: .ethereum(chain))
            configuration.ticketPolicy = TicketPolicy(expectedValue: Self.ticketEV, txCostMultiplier: Self.ticketMultiplier)
            configuration.tls = try TLSIdentity.selfSigned(hosts: ["127.0.0.1"])
            if role.tamper { configuration.signer = FaultySigner(faults: NodeFaults(tamperRenditions: true)) }
            orchestrators.append(Member(name: role.name, key: key, node: try await Node.open(configuration), chain: chain,
                                        pricePerPixel: price, stake: (try? UInt256(role.stake) * Self.lpt) ?? Self.lpt))
        }
        reader = orchestrators[0].chain.reader
        startBlock = try await reader.node.blockNumber()
    }

    /// Starts every node, registers each on the chain (bond, reward cut and fee share, its service URI), funds the
    /// broadcaster, and waits until the next round makes them active.
    func start() async throws {
        let host = host
        hosting = Task { try await host.run() }
        for index in orchestrators.indices {
            let running = try await RunningNode.start(orchestrators[index].node)
            orchestrators[index].running = running
            orchestrators[index].url = try await running.node.broadcasterAddress()
            try await register(orchestrators[index])
        }
        try await fundBroadcaster()
        let round = try await reader.currentRound()
        print("   registered on chain in round \(round); they are active once round \(round + 1) is initialised (alpha does it)")
        try await waitUntilActive()
    }

    /// Registers `member`; in the last part of a round (the BondingManager's round lock) the chain refuses new transcoder
    /// parameters, and nothing bonds in a round not yet initialised, so it waits for the next round (or for alpha's
    /// initialiser) and tries again (what is done, such as the bond, is not redone).
    private func register(_ member: Member) async throws {
        for _ in 0..<6 {
            do { return try await registerOnce(member) } catch let error as EthereumSettlementError {
                let round = try await reader.currentRound()
                switch error {
                case .wouldRevert(_, let reason) where reason.contains("round is locked"):
                    print("   \(member.name): round \(round) is locked for new transcoder parameters; waiting for the next round")
                    try await waitFor("round \(round + 1)") { try await self.reader.currentRound() > round }
                case .wouldRevert(_, let reason) where reason.contains("not initialized"):
                    print("   \(member.name): round \(round) is not initialised yet; waiting for alpha to initialise it")
                    try await waitFor("round \(round) to be initialised") { try await self.reader.lastInitializedRound() >= round }
                case .reverted:
                    // Estimated in one round, mined in the next before anyone initialised it.
                    print("   \(member.name): a registration transaction reverted (\(error)); trying again once round \(round) is initialised")
                    try await waitFor("round \(round) to be initialised") { try await self.reader.lastInitializedRound() >= round }
                default:
                    throw CLIError("registering \(member.name) (\(member.key.address.checksummed)): \(error)")
                }
            }
        }
        throw CLIError("registering \(member.name): the chain kept refusing it")
    }

    private func registerOnce(_ member: Member) async throws {
        let onChain = try await reader.transcoder(member.key.address)
        let actions = LivepeerAccountActions(sender: member.chain.sender, deployment: reader.deployment)
        guard onChain.totalStake.isZero else {
            if onChain.rewardCut != UInt256(Self.rewardCut) || onChain.feeShare != UInt256(Self.feeShare) {
                // Bonded by an earlier attempt that the round lock stopped before its cut and share were set. Once active,
                // the BondingManager takes new ones only after reward() in the round.
                if onChain.active {
                    _ = try await member.chain.sender.invoke(LivepeerFunctions.BondingManager.reward, on: reader.deployment.bondingManager)
                }
                _ = try await actions.register(stake: .zero, rewardCutPPM: Self.rewardCut, feeSharePPM: Self.feeShare, serviceURI: member.url)
                return
            }
            // Registered by an earlier run: only its new address (an active transcoder may not change its cut and share
            // before it has called reward() in the round).
            _ = try await member.chain.sender.invoke(LivepeerFunctions.ServiceRegistry.setServiceURI, on: reader.deployment.serviceRegistry,
                                                     [.string(member.url)])
            return
        }
        let balance = try await reader.tokenBalance(member.key.address)
        guard balance >= member.stake else {
            throw CLIError("\(member.name) (\(member.key.address.checksummed)) holds \(balance) LPT wei and needs \(member.stake) to bond "
                           + "(scripts/dev-chain mints 10,000 LPT to each account)")
        }
        _ = try await actions.register(stake: member.stake, rewardCutPPM: Self.rewardCut, feeSharePPM: Self.feeShare, serviceURI: member.url)
    }

    private func fundBroadcaster() async throws {
        let sender = TransactionSender(node: reader.node, key: broadcaster, chainID: reader.deployment.chainID)
        do {
            let before = try await reader.senderFunds(broadcaster.address)
            let deposit = before.deposit >= settings.deposit ? UInt256.zero : try settings.deposit - before.deposit
            let reserve = before.reserve >= settings.reserve ? UInt256.zero : try settings.reserve - before.reserve
            if !deposit.isZero || !reserve.isZero {
                _ = try await LivepeerAccountActions(sender: sender, deployment: reader.deployment).fund(deposit: deposit, reserve: reserve)
            }
            let after = try await reader.senderFunds(broadcaster.address)
            funds = (after.deposit, after.reserve)
        } catch let error as EthereumSettlementError {
            throw CLIError("funding the broadcaster (\(broadcaster.address.checksummed)): \(error)")
        }
    }

    /// Waits until every orchestrator is active with its URI.
    private func waitUntilActive() async throws {
        let wanted = Dictionary(uniqueKeysWithValues: orchestrators.map { ($0.key.address, $0.url) })
        try await waitFor("the orchestrators to become active") {
            try await self.reader.transcoderPool().filter { $0.active && wanted[$0.address] == $0.serviceURI }.count == wanted.count
        }
    }

    /// Reads the chain each second (a JSON-RPC node does not push) until `done`, for at most the activation timeout.
    private func waitFor(_ what: String, _ done: @escaping () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + settings.activationTimeout
        while try await !done() {
            guard ContinuousClock.now < deadline else {
                throw CLIError("waited \(settings.activationTimeout) for \(what): does the chain make blocks on its own (scripts/dev-chain --block-time)?")
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// The active set as a broadcaster reads it from the chain: service URI → stake.
    func activeSet() async throws -> [String: Double] {
        let pool = try await reader.transcoderPool()
        return Dictionary(pool.filter { $0.active && !$0.serviceURI.isEmpty }.map { ($0.serviceURI, $0.totalStake.doubleValue / 1e18) },
                          uniquingKeysWith: +)
    }

    /// A real chain moves on its own, and each node's redeemer cashes its winners: nothing to do per segment.
    func segmentDone(index: Int) async throws {}

    /// Stops one node, then cashes the winners it left, as `eth redeem` does for an operator whose node is down.
    func stop(_ index: Int) async {
        guard let running = orchestrators[index].running else { return }
        orchestrators[index].running = nil
        do { try await running.stop() } catch { print("   \(orchestrators[index].name) stopped with an error: \(error)") }
        do { try await redeemLeftovers(orchestrators[index]) } catch {
            print("   \(orchestrators[index].name)'s last winners were not redeemed: \(error)")
        }
    }

    /// A few passes: the round is initialised first if nobody has (alpha, which does it, may have stopped already), and a
    /// pass that sent nothing or reverted waits a second for the chain to move on.
    private func redeemLeftovers(_ member: Member) async throws {
        let recorder = try RedemptionRecorder(store: host, sink: sink, orchestrator: member.key.address, clock: SystemClock())
        let service = EthereumRedemptionService(recorder: recorder, redeemer: LivepeerTicketRedeemer(sender: member.chain.sender,
                                                                                                     reader: member.chain.reader))
        let initializer = EthereumRoundInitializer(reader: member.chain.reader, sender: member.chain.sender, watcher: member.chain.watcher)
        try await service.recover()
        for _ in 0..<5 {
            guard try !recorder.pending().isEmpty else { return }
            _ = try await initializer.initializeIfDue()
            let step = try await service.step()
            if step.transaction == nil || step.reverted { try await Task.sleep(for: .seconds(1)) }
        }
    }

    /// Stops every node; each one's last winners are redeemed at once.
    func settle() async throws {
        for index in orchestrators.indices { await stop(index) }
    }

    func stopAll() async {
        for index in orchestrators.indices { await stop(index) }
    }

    func stopProjections() async throws {
        try await host.waitUntilApplied(through: log.head.sequence)
        hosting?.cancel()
        try await hosting?.value
        hosting = nil
    }

    /// What the TicketBroker paid our orchestrators since the demo began (its logs) against the log's report, to the wei;
    /// the gas is the receipts' as the log recorded them.
    func settlement(report: FeeReport) async throws -> DemoSettlementTotals {
        let outcome = try await EthFeeReconciliation.compare(report, reader: reader, fromBlock: startBlock)
        let ledger = try host.state(of: FeeLedgerProjection.self)
        var gas = UInt256.zero
        for round in ledger.rounds.values {
            for fees in round.values { gas = (try? gas + (try UInt256(decimal: fees.gasCost))) ?? gas }
        }
        return DemoSettlementTotals(gasCost: gas, redeemedValue: outcome.paid, transactions: outcome.transactions,
                                    differences: outcome.differences, reconciledWith: outcome.chain)
    }
}
