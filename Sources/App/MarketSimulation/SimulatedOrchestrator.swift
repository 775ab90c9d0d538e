import Drills
public import EthCrypto
import EventModel
import Foundation
public import Orchestrator
public import Payments
import Projections
import Scheduling
public import Settlement
import Synchronization
import Logging
import Telemetry
import Transcoding
public import Wire

/// One orchestrator of the simulated market: the product's `OrchestratorNode` (intake, payments, scheduling onto its
/// transcoders, result signing) and `RedemptionService` (the batch redeemer), writing to their own in-memory log. A
/// crash drops the running node and what its log had not yet committed; a restart rebuilds the recipient ledger and the
/// scheduler from the log, as `streamflow orchestrator` does at start, and recovers redemptions left in flight.
public final class SimulatedOrchestrator: Sendable {
    public let key: PrivateKey
    public let url: String
    public let store: MemoryEventStore
    public let transcoders: [SimulatedTranscoder]
    public let price: PriceInfo
    public let directory: String
    let chain: SimulatedChain
    let clock: VirtualClock
    let policy: TicketPolicy
    let redeemerPolicy: RedeemerPolicy
    let planted: PlantedBug?
    /// The run's own registry: its nodes' metrics stay out of the process's, and their fault logs are off.
    let metrics: MetricsRegistry
    private let running = Mutex<Running?>(nil)
    private let restartCount = Mutex(0)
    let tamper = TamperSwitch()

    /// A running instance: the node and its redeemer, gone at a crash.
    struct Running: Sendable {
        let node: OrchestratorNode
        let redemption: RedemptionService
    }

    init(key: PrivateKey, url: String, price: PriceInfo, policy: TicketPolicy, redeemerPolicy: RedeemerPolicy, transcoders: Int,
         directory: String, chain: SimulatedChain, clock: VirtualClock, storeCapacity: Int, planted: PlantedBug?,
         metrics: MetricsRegistry) {
        self.metrics = metrics
        self.key = key
        self.url = url
        self.price = price
        self.policy = policy
        self.redeemerPolicy = redeemerPolicy
        self.directory = directory
        self.chain = chain
        self.clock = clock
        self.planted = planted
        store = MemoryEventStore(capacity: storeCapacity)
        self.transcoders = (1...max(1, transcoders)).map { SimulatedTranscoder(id: "sim-\($0)", capacity: 2) }
    }

    public var address: Address { key.address }
    public var isUp: Bool { running.withLock { $0 != nil } }
    var node: OrchestratorNode? { running.withLock { $0?.node } }
    var redemption: RedemptionService? { running.withLock { $0?.redemption } }
    public var restarts: Int { restartCount.withLock { $0 } }

    /// Starts (or restarts) the node from its log and recovers redemptions in flight.
    func start() async throws {
        let generation = restartCount.withLock { count in
            defer { count += 1 }
            return count
        }
        let me = key.address.checksummed
        // State from the log, as `Node` hydrates it: the recipient's ledger and the scheduler continue where the log left them.
        let ledger = planted == .forgetLedgerOnRestart && generation > 0 ? RecipientLedger() : try store.replay(PaymentsLedgerProjection())
        let recipient = TicketRecipient(validator: TicketValidator(recipient: key.address, secret: RecipientSecret(key: Array("sim \(me)".utf8)),
                                                                   policy: policy), ledger: ledger)
        let restored = try store.replay(SchedulingProjection())[me] ?? SchedulerState()
        let pool = TranscoderPool(orchestrator: me, sink: store, clock: clock, restoring: restored)
        transcoders.forEach(pool.add)
        let node = try OrchestratorNode(
            key: key, recipient: recipient, authSecret: Array("auth \(me)".utf8), price: price, capacity: 8,
            outputDirectory: directory, profiles: [SimulationProfiles.profile], publicURL: url, pool: pool, events: store, clock: clock,
            signer: SwitchableSigner(tamper: tamper), telemetry: OrchestratorTelemetry(metrics: metrics, logLevel: .critical), senderFunds: SenderFundsSource(read: { [chain] sender in
                let funds = chain.state.sender(sender)
                return SenderFunds(deposit: funds.deposit, reserve: funds.reserve)
            }), instance: "run\(generation)")
        let redemption = try RedemptionService(
            chain: chain, store: store, sink: store, orchestrator: key.address, redeemer: Redeemer(policy: redeemerPolicy), clock: clock,
            telemetry: RedeemerTelemetry(metrics: metrics, logLevel: .critical), onRecorded: { envelopes in
                for envelope in envelopes {
                    if let event = PaymentEvent(envelope: envelope) { recipient.settle(event) }
                }
            })
        running.withLock { $0 = Running(node: node, redemption: redemption) }
        try await redemption.recover()
    }

    /// The process dies: the node and its redeemer are gone, and so is what the log had not committed.
    @discardableResult
    func crash() -> Int {
        running.withLock { $0 = nil }
        return store.crash()
    }

    /// What the chain looks like to this node now, at `gasPrice`.
    func context(gasPrice: UInt256) -> ValidationContext {
        let state = chain.state
        return ValidationContext(currentBlock: state.block, currentRound: state.round, roundBlockHashes: state.roundBlockHashes,
                                 gasPrice: gasPrice)
    }
}

/// The node's result signer in the simulation: honest, or (while the fault plan says so) the labelled drill that
/// changes the renditions after signing them.
struct SwitchableSigner: ResultSigner {
    let tamper: TamperSwitch

    func sign(_ renditions: [TranscodedRendition], seq: Int64, stream: String, publicURL: String,
              key: PrivateKey) async throws -> Net_TranscodeResult {
        let signer: any ResultSigner = tamper.isOn ? FaultySigner(faults: NodeFaults(tamperRenditions: true)) : HonestResultSigner()
        return try await signer.sign(renditions, seq: seq, stream: stream, publicURL: publicURL, key: key)
    }
}

/// Whether an orchestrator's results are tampered with after signing (the broadcaster's signature check must catch it).
final class TamperSwitch: Sendable {
    private let on = Mutex(false)
    var isOn: Bool { on.withLock { $0 } }
    func set(_ value: Bool) { on.withLock { $0 = value } }
}

/// The one rendition every simulated stream asks for (small: the copy transcoder moves bytes, not pixels).
enum SimulationProfiles {
    static let profile = try! VideoProfile(name: "P144p30fps16x9", width: 256, height: 144, bitrate: 400_000, fps: 30)
}
