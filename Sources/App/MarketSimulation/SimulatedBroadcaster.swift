public import Broadcaster
public import EthCrypto
import EventModel
import Foundation
import Orchestrator
import Settlement
import Logging
import Telemetry
import Transcoding

/// One broadcaster of the simulated market: the product's `StreamBroadcaster` (selection, ticket payments, failover,
/// result verification) on the in-process wire, writing to its own in-memory log. A restart loses what its log had not
/// committed and starts a new `StreamBroadcaster` (a new run instance), as a restarted process would.
final class SimulatedBroadcaster {
    let index: Int
    let key: PrivateKey
    let store: MemoryEventStore
    let stream: String
    private let candidates: [OrchestratorCandidate]
    private let selectionSeed: UInt64
    private let directory: String
    private let funds: (deposit: UInt256, reserve: UInt256)
    private let network: SimulatedNetwork
    private let clock: VirtualClock
    private let metrics: MetricsRegistry
    private var generation = 0
    private(set) var current: StreamBroadcaster

    init(index: Int, key: PrivateKey, candidates: [OrchestratorCandidate], selectionSeed: UInt64, directory: String,
         funds: ChainState.Sender, network: SimulatedNetwork, clock: VirtualClock, storeCapacity: Int, metrics: MetricsRegistry) {
        self.metrics = metrics
        self.index = index
        self.key = key
        self.candidates = candidates
        self.selectionSeed = selectionSeed
        self.directory = directory
        self.funds = (funds.deposit, funds.reserve)
        self.network = network
        self.clock = clock
        stream = "sim-stream-\(index)"
        store = MemoryEventStore(capacity: storeCapacity)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        current = Self.make(key: key, stream: stream, candidates: candidates, seed: selectionSeed, directory: directory,
                            funds: self.funds, store: store, network: network, clock: clock, metrics: metrics, instance: "b\(index)r0")
    }

    /// The process restarts: uncommitted events are lost, and a new broadcaster (new instance, fresh offers) takes over.
    func restart() {
        store.crash()
        generation += 1
        current = Self.make(key: key, stream: stream, candidates: candidates, seed: selectionSeed &+ UInt64(generation), directory: directory,
                            funds: funds, store: store, network: network, clock: clock, metrics: metrics, instance: "b\(index)r\(generation)")
    }

    /// Tickets this broadcaster's durable log says it sent (each `segment.dispatched` counts its own).
    var ticketsIssued: Int {
        store.records.reduce(0) { total, record in
            total + Int((try? SegmentDispatched.decoded(from: record.envelope))??.tickets ?? 0)
        }
    }

    /// Segment `seq` of this stream: bytes derived from the seed (the copy transcoder never decodes them).
    func segment(seq: Int64, seed: UInt64) -> BroadcastSegment {
        var bytes: [UInt8] = []
        var hash = Keccak256.hash(Array("sim segment \(seed) \(index) \(seq)".utf8))
        for _ in 0..<8 {
            bytes += hash.bytes
            hash = Keccak256.hash(hash.bytes)
        }
        return BroadcastSegment(seq: seq, bytes: bytes, durationMs: Int32(MarketSimulation.segmentMilliseconds))
    }

    private static func make(key: PrivateKey, stream: String, candidates: [OrchestratorCandidate], seed: UInt64, directory: String,
                             funds: (deposit: UInt256, reserve: UInt256), store: MemoryEventStore, network: SimulatedNetwork,
                             clock: VirtualClock, metrics: MetricsRegistry, instance: String) -> StreamBroadcaster {
        var policy = BroadcastPolicy(maxAttempts: 3)
        // The copy transcoder's renditions are not video: the signature is checked, pixels are not counted.
        policy.countPixels = false
        return StreamBroadcaster(key: key, manifest: stream, profiles: [SimulationProfiles.profile.wire], candidates: candidates,
                                 maxPricePerPixel: 10, seed: seed, scratchDirectory: directory, funds: funds, policy: policy,
                                 events: store, clock: clock, telemetry: BroadcasterTelemetry(metrics: metrics, logLevel: .critical), transport: network.transport(for: key.address), instance: instance)
    }
}
