public import EthCrypto
public import EthereumRedemption
public import EventLog
public import EventModel
public import Edge
public import Fleet
public import KafkaBus
public import Orchestrator
public import Payments
public import Projections
public import Transcoding

/// Everything a node is built from: identity, storage, endpoints, pricing, transcoders, chain and limits. `Node`
/// turns it into one service group; every entry point (commands, demo, benchmarks, tests) fills one of these.
public struct NodeConfiguration: Sendable {
    /// The orchestrator's key (its address is what tickets pay and results are signed with).
    public var key: PrivateKey
    public var storage: NodeStorage
    /// Where renditions are written and served from.
    public var outputDirectory: String
    public var host = "127.0.0.1"
    /// The edge's port (0 picks a free one); over TLS also the gRPC port.
    public var port = 0
    /// A separate gRPC port (plaintext: required for gRPC at all; TLS: an extra gRPC-only port). Nil: none.
    public var rpcPort: Int?
    public var tls: TLSIdentity?
    public var price: PriceInfo
    /// Segments in flight at once.
    public var capacity: Int
    public var profiles: [VideoProfile]
    public var ticketPolicy = TicketPolicy()
    /// go-livepeer's -network offchain: no ticket params, payments or signatures.
    public var offchain = false
    public var transcoders: NodeTranscoders
    /// Remote transcoders accepted over gRPC (go-livepeer's -orchSecret), when set.
    public var remoteTranscoders: RemoteTranscoderSettings?
    public var chain: NodeChain
    /// Signs each result; a drill wraps it (the Drills target). The product signs honestly.
    public var signer: any ResultSigner = HonestResultSigner()
    public var telemetry = OrchestratorTelemetry()
    public var limits = ServerLimits()
    /// Signed log checkpoints (nil: none; a shared log's owner signs its own).
    public var checkpoints: CheckpointPolicy? = CheckpointPolicy()
    public var projections = ProjectionHostOptions()
    /// How long a graceful shutdown may take before the group cancels what is left.
    public var drainLimit: Duration = .seconds(30)
    /// Distributed mode: how long the log may take at start to catch up with the topics (past it the node does not start).
    public var catchUpLimit: Duration = .seconds(120)
    public var clock: any EventClock = SystemClock()

    public init(key: PrivateKey, storage: NodeStorage, outputDirectory: String, price: PriceInfo, capacity: Int,
                profiles: [VideoProfile], transcoders: NodeTranscoders, chain: NodeChain) {
        self.key = key
        self.storage = storage
        self.outputDirectory = outputDirectory
        self.price = price
        self.capacity = capacity
        self.profiles = profiles
        self.transcoders = transcoders
        self.chain = chain
    }
}

/// Where a node's state lives.
public enum NodeStorage: Sendable {
    /// The node's own directory: the LMDB log (DIR/log), its projection snapshots, and the node's secrets
    /// (DIR/recipient-secret, DIR/auth-secret; 0600). The node opens, hydrates from, runs and closes them.
    case directory(String)
    /// A log shared by several nodes of one process (the demo's market, benchmarks): its owner runs the projection
    /// host and closes the log; this node writes through `sink` and keeps its secrets in memory.
    case shared(log: EventLog, host: ProjectionHost, sink: any EventSink)
}

/// What transcodes a node's segments.
public enum NodeTranscoders: Sendable {
    /// In-process libavcodec transcoders: `count` of them with `capacity` segments each.
    case local(count: Int, capacity: Int, streamLimits: StreamTranscoderTable.Limits? = nil)
    /// Given workers (benchmark doubles that copy bytes, tests' labelled doubles).
    case workers([any TranscoderWorker])
    /// Distributed mode: the Kafka worker fleet; every event goes to the topics and a log sink consumes them into the log.
    case fleet(FleetSettings)
    /// None at start: remote transcoders register over gRPC.
    case none
}

/// The Kafka side of a distributed node.
public struct FleetSettings: Sendable {
    public var kafka: KafkaSettings
    public var topics: BusTopics
    public var placement: DataPlacement
    /// The log sink's consumer group (one per node log).
    public var logGroup: String
    /// How long a segment may take on the fleet.
    public var timeout: Duration

    public init(kafka: KafkaSettings, topics: BusTopics, placement: DataPlacement, logGroup: String = "streamflow-log",
                timeout: Duration = .seconds(60)) {
        self.kafka = kafka
        self.topics = topics
        self.placement = placement
        self.logGroup = logGroup
        self.timeout = timeout
    }
}

/// Remote transcoders (`streamflow transcoder --secret`): the shared secret, their time per segment, and who hears of
/// their joining and leaving (besides the pool).
public struct RemoteTranscoderSettings: Sendable {
    public var secret: String
    public var taskTimeout: Duration
    public var onEvent: @Sendable (RemoteTranscoderEvent) -> Void

    public init(secret: String, taskTimeout: Duration = .seconds(30), onEvent: @escaping @Sendable (RemoteTranscoderEvent) -> Void = { _ in }) {
        self.secret = secret
        self.taskTimeout = taskTimeout
        self.onEvent = onEvent
    }
}

/// The chain a node's tickets name.
public enum NodeChain: Sendable {
    /// A fixed context (a stand-alone orchestrator not connected to a settlement chain).
    case fixed(ValidationContext)
    /// A context the caller keeps current (the demo's shared chain); no redeemer of the node's own.
    case external(@Sendable () -> ValidationContext)
    /// The embedded settlement chain in a directory: tickets name its rounds, the node's redeemer cashes winners on it.
    case embedded(EmbeddedChainSettings)
    /// A real chain over JSON-RPC (Livepeer's contracts): tickets name its rounds and block hashes, the node's redeemer
    /// cashes winners on its TicketBroker. Connect first (`EthereumNodeChain.connect`): it reads the chain once.
    case ethereum(EthereumNodeChain)

    /// The stand-alone orchestrator's chain until it is connected to one.
    public static let standalone = NodeChain.fixed(ValidationContext(
        currentBlock: 1, currentRound: 1, roundBlockHashes: [1: Keccak256.hash([1])], gasPrice: UInt256(1_000_000_000)))
}

/// The embedded chain's directory and the redeemer's settings.
public struct EmbeddedChainSettings: Sendable {
    public var directory: String
    public var gasPrice: UInt256
    /// Winning tickets gathered before a redemption while waiting costs nothing.
    public var minBatch: Int
    /// Seconds between blocks the node mines on the embedded chain (0: never).
    public var blockSeconds: Double

    public init(directory: String, gasPrice: UInt256, minBatch: Int = 10, blockSeconds: Double = 2) {
        self.directory = directory
        self.gasPrice = gasPrice
        self.minBatch = minBatch
        self.blockSeconds = blockSeconds
    }
}
