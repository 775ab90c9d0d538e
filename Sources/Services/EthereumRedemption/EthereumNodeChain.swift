public import EthCrypto
import EthereumRPC
public import EthereumSettlement
public import EventModel
import Payments
public import Projections
public import ServiceLifecycle
import Settlement

/// How a node settles on a real chain: the JSON-RPC node, Livepeer's Controller, and the redeemer's limits.
public struct EthereumChainSettings: Sendable {
    /// Call `initializeRound()` when a round starts that nobody has initialised (go-livepeer's `-initializeRound`).
    public var initializeRounds: Bool
    public var rpcURL: String
    public var controller: Address
    /// Refuse a node on another chain (nil: any).
    public var chainID: UInt64?
    public var policy: FeePolicy
    public var maxBatch: Int
    public var minBatch: Int
    public var confirmations: UInt64
    public var pollInterval: Duration
    public var replaceAfter: Duration
    public var rpcTimeout: Duration

    public init(rpcURL: String, controller: Address, chainID: UInt64? = nil, policy: FeePolicy = FeePolicy(), maxBatch: Int = 30,
                minBatch: Int = 10, confirmations: UInt64 = 1, pollInterval: Duration = .seconds(2), replaceAfter: Duration = .seconds(60),
                rpcTimeout: Duration = .seconds(30), initializeRounds: Bool = false) {
        self.rpcURL = rpcURL
        self.controller = controller
        self.chainID = chainID
        self.policy = policy
        self.maxBatch = maxBatch
        self.minBatch = minBatch
        self.confirmations = confirmations
        self.pollInterval = pollInterval
        self.replaceAfter = replaceAfter
        self.rpcTimeout = rpcTimeout
        self.initializeRounds = initializeRounds
    }
}

/// A node's connection to a real chain, made before the node is built (it reads the chain once): the contracts, the
/// watcher whose context tickets name, the senders' funds its face values are sized by, and the orchestrator's
/// transaction sender.
public struct EthereumNodeChain: Sendable {
    public let settings: EthereumChainSettings
    public let reader: LivepeerReader
    public let watcher: EthereumChainWatcher
    public let sender: TransactionSender
    public let validityRounds: Int64
    /// The broadcasters' funds on the TicketBroker, for the face values the node offers them.
    public let senderFunds: SenderFundsMonitor

    /// Resolves Livepeer's contracts from the Controller and reads the chain once.
    public static func connect(_ settings: EthereumChainSettings, key: PrivateKey) async throws(EthereumSettlementError) -> EthereumNodeChain {
        let node = EthereumNode(rpc: JSONRPCClient(url: settings.rpcURL, timeout: settings.rpcTimeout))
        let deployment = try await LivepeerDeployment.resolve(node: node, controller: settings.controller, expectedChainID: settings.chainID)
        let reader = LivepeerReader(node: node, deployment: deployment)
        let watcher = try await EthereumChainWatcher.start(reader: reader, interval: settings.pollInterval)
        let validity = try await reader.ticketValidityPeriod()
        let sender = TransactionSender(node: node, key: key, chainID: deployment.chainID, policy: settings.policy,
                                       pollInterval: .milliseconds(250))
        return EthereumNodeChain(settings: settings, reader: reader, watcher: watcher, sender: sender, validityRounds: Int64(validity),
                                 senderFunds: SenderFundsMonitor(reader: reader, recipient: key.address))
    }

    /// The redeemer over the node's projection host and sink, the watcher, and the round initialiser when asked for: the
    /// services to run (watcher first).
    public func services(host: ProjectionHost, sink: any EventSink, clock: any EventClock,
                         onRecorded: @escaping @Sendable ([EventEnvelope]) -> Void) throws -> [any Service] {
        let recorder = try RedemptionRecorder(store: host, sink: sink, orchestrator: sender.address, clock: clock, onRecorded: onRecorded)
        let redeemer = LivepeerTicketRedeemer(sender: sender, reader: reader, maxBatch: settings.maxBatch, confirmations: settings.confirmations,
                                              replaceAfter: settings.replaceAfter)
        let service = EthereumRedeemerService(redemption: EthereumRedemptionService(recorder: recorder, redeemer: redeemer), watcher: watcher,
                                              minBatch: settings.minBatch, validityRounds: validityRounds)
        let initializer: [any Service] = settings.initializeRounds ? [EthereumRoundInitializer(reader: reader, sender: sender, watcher: watcher)] : []
        return [watcher, service] + initializer
    }
}
