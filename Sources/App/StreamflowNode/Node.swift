import Foundation
public import Edge
public import EthCrypto
public import EventLog
public import EventModel
import EthereumRedemption
import Fleet
import KafkaBus
public import Logging
public import Orchestrator
public import Payments
public import Projections
import Scheduling
public import ServiceLifecycle
import Transcoding
public import WireRPC

/// An orchestrator node: the composition root. From a `NodeConfiguration` it opens the log, brings its projections up
/// to the head, hydrates the recipient ledger (credit per sender, nonces per recipientRand, pending winners) and the
/// scheduler from them, and builds the edge, gRPC, transcoders, log sink, redeemer, chain ticker and checkpointer.
/// `run()` runs them as one `ServiceGroup`, started in dependency order and shut down in reverse: the listeners
/// drain first, the projection host stores its last snapshot last; the log closes after.
public final class Node: Service, Sendable {
    public let configuration: NodeConfiguration
    public let log: EventLog
    public let host: ProjectionHost
    /// Where the node writes its events (the log, or the Kafka topics in distributed mode).
    public let sink: any EventSink
    public let orchestrator: OrchestratorNode
    public let edge: EdgeServer
    public let hub: RemoteTranscoderHub?
    public let settlement: NodeSettlement?
    /// The chain as tickets must name it now.
    public let context: @Sendable () -> ValidationContext
    let rpc: (server: RPCServer, address: OneShot<NodeAddress>)?
    let services: [any Service]
    let owned: Owned
    let logger: Logger

    /// What this node opened and must close after its group ends.
    struct Owned: Sendable {
        var log: EventLog?
        var producer: KafkaProducer?
    }

    /// Opens the node on a thread of its own (opening blocks on LMDB, and in distributed mode on Kafka while the log
    /// catches up with the topics), off the cooperative pool.
    public static func open(_ configuration: NodeConfiguration, logger: Logger = Logger(label: "node")) async throws -> Node {
        try await OwnThread.run(name: "streamflow.node-open") { try Node(configuration, logger: logger) }
    }

    /// Blocking: use `open`.
    init(_ configuration: NodeConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let address = configuration.key.address
        let clock = configuration.clock
        var owned = Owned()
        var services: [any Service] = []
        let log: EventLog, host: ProjectionHost, secrets: NodeSecrets
        var sink: any EventSink
        switch configuration.storage {
        case .directory(let directory):
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            log = try EventLog(directory: directory + "/log")
            owned.log = log
            do {
                // Distributed mode: what earlier runs published reaches the log before any state is read from it.
                if case .fleet(let settings) = configuration.transcoders {
                    let report = try TopicCatchUp.run(log: log, settings: settings.kafka, topics: settings.topics, group: settings.logGroup,
                                                      limit: configuration.catchUpLimit)
                    logger.info("log caught up with the topics", metadata: [
                        "partitions behind": "\(report.partitionsBehind)", "messages": "\(report.messages)",
                        "appended": "\(report.appended)", "already in log": "\(report.alreadyInLog)"])
                }
                host = try ProjectionHost(log: log, projections: BuiltInProjections.node, options: configuration.projections,
                                          logger: logger)
                // Blocks on LMDB, before anything is served: the state below is the log's.
                try host.catchUp()
                secrets = try NodeSecrets.load(directory: directory)
            } catch {
                log.close()
                throw error
            }
            sink = LogEventSink(log: log)
            services.append(host)
        case .shared(let sharedLog, let sharedHost, let sharedSink):
            (log, host, sink, secrets) = (sharedLog, sharedHost, sharedSink, try NodeSecrets.ephemeral())
        }
        self.log = log
        self.host = host
        // Distributed mode: the events go to the topics; a log sink consumes them into the log.
        var fleet: FleetTranscoder?
        var fleetTimeout: Duration?
        if case .fleet(let settings) = configuration.transcoders {
            let producer = try KafkaProducer(settings: settings.kafka)
            owned.producer = producer
            let publisher = EventPublisher(producer: producer, topics: settings.topics)
            let events = KafkaEventSink(publisher: publisher)
            sink = events
            let logSink = try KafkaLogSink(log: log, settings: settings.kafka, topics: settings.topics, group: settings.logGroup,
                                           producer: producer, clock: clock)
            services.append(LogSinkService(sink: logSink, events: events, host: host, drainLimit: configuration.drainLimit,
                                           logger: logger))
            let made = try FleetTranscoder(capacity: configuration.capacity, orchestrator: address.checksummed, settings: settings.kafka,
                                           publisher: publisher, group: "streamflow-results-\(address.checksummed.lowercased())",
                                           placement: settings.placement, clock: clock, timeout: settings.timeout)
            services.append(FleetService(fleet: made))
            fleet = made
            // The fleet is the pool's one transcoder: a failed or timed-out segment is not retried here (the broadcaster
            // tries another orchestrator); inside the fleet, a dead worker's segment is redelivered by Kafka.
            fleetTimeout = settings.timeout
        }
        self.sink = sink
        // State from the log: the recipient's ledger and the scheduler continue where the log left them.
        let (ledger, hydratedThrough) = try host.stateAndApplied(of: PaymentsLedgerProjection.self)
        let recipient = TicketRecipient(validator: TicketValidator(recipient: address, secret: secrets.recipient,
                                                                   policy: configuration.ticketPolicy), ledger: ledger)
        // The chain, and with the embedded one the node's redeemer and block ticker.
        var senderFunds = SenderFundsSource.assumed
        switch configuration.chain {
        case .fixed(let fixed):
            settlement = nil
            context = { fixed }
        case .external(let current):
            settlement = nil
            context = current
        case .embedded(let chain):
            let made = try NodeSettlement(chainDirectory: chain.directory, host: host, sink: sink, orchestrator: address,
                                          gasPrice: chain.gasPrice, minBatch: chain.minBatch, blockSeconds: chain.blockSeconds,
                                          recipient: recipient)
            settlement = made
            context = { made.context }
            services += made.services
        case .ethereum(let ethereum):
            settlement = nil
            context = { ethereum.watcher.context }
            let monitor = ethereum.senderFunds
            senderFunds = SenderFundsSource(read: { monitor.funds($0) }, refresh: { await monitor.refresh($0) })
            services += try ethereum.services(host: host, sink: sink, clock: clock, onRecorded: { envelopes in
                for envelope in envelopes {
                    if let event = PaymentEvent(envelope: envelope) { recipient.settle(event) }
                }
            })
        }
        let restored = try host.state(of: SchedulingProjection.self)[address.checksummed] ?? SchedulerState()
        let attemptLimit: @Sendable (TranscodeTask) -> Duration
        if let fleetTimeout { attemptLimit = { _ in fleetTimeout } } else { attemptLimit = TranscoderPool.defaultTimeout }
        let pool = TranscoderPool(orchestrator: address.checksummed, sink: sink, clock: clock, timeout: attemptLimit,
                                  restoring: restored)
        switch configuration.transcoders {
        case .local(let count, let capacity, let streamLimits):
            for index in 1...max(1, count) {
                pool.add(LocalTranscoder(id: "local-\(index)", capacity: capacity, streamLimits: streamLimits))
            }
        case .workers(let workers): workers.forEach(pool.add)
        case .fleet: if let fleet { pool.add(fleet) }
        case .none: break
        }
        orchestrator = try OrchestratorNode(key: configuration.key, recipient: recipient, authSecret: secrets.auth,
                                            price: configuration.price, capacity: configuration.capacity,
                                            outputDirectory: configuration.outputDirectory, profiles: configuration.profiles,
                                            publicURL: "", pool: pool, events: sink, clock: clock, offchain: configuration.offchain,
                                            signer: configuration.signer, telemetry: configuration.telemetry, senderFunds: senderFunds)
        hub = configuration.remoteTranscoders.map { remote in
            let link = HubPoolLink(pool: pool)
            let hub = RemoteTranscoderHub(secret: remote.secret, taskTimeout: remote.taskTimeout) { event in
                link.handle(event)
                remote.onEvent(event)
            }
            link.hub = hub
            return hub
        }
        if case .fleet = configuration.transcoders {
            // Before the log sink in the list: it shuts down after the sink has drained into the log.
            let index = services.firstIndex { $0 is LogSinkService } ?? services.endIndex
            services.insert(LatePaymentsService(log: log, orchestrator: orchestrator, hydratedThrough: hydratedThrough,
                                                     logger: logger), at: index)
        }
        if let policy = configuration.checkpoints, case .directory = configuration.storage {
            services.append(CheckpointService(log: log, checkpointer: LogCheckpointer(log: log, key: configuration.key, clock: clock,
                                                                                     policy: policy),
                                              interval: .milliseconds(policy.everyMilliseconds), logger: logger))
        }
        let (context, orchestrator, hub) = (context, orchestrator, hub)
        edge = EdgeServer(node: orchestrator, host: configuration.host, port: configuration.port, context: context,
                          tls: configuration.tls, hub: hub, limits: configuration.limits)
        rpc = configuration.rpcPort.map { port in
            (RPCServer(source: OrchestratorInfoSource(node: orchestrator, context: context, now: EdgeServer.wallClock), hub: hub,
                       host: configuration.host, port: port, tls: configuration.tls, limits: configuration.limits.connections),
             OneShot<NodeAddress>())
        }
        services.append(edge)
        if let rpc { services.append(RPCService(server: rpc.server, address: rpc.address)) }
        self.services = services
        self.owned = owned
    }

    /// The node's address.
    public var address: Address { configuration.key.address }
}
