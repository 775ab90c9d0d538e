public import NIOCore
import Synchronization
public import Telemetry

/// One listener's open connections, counted in all and per client address under `ConnectionLimits`. At a cap the
/// oldest connection that has not yet sent a request (from the same address at the address cap) is closed to make
/// room, so idle sockets cannot lock legitimate clients out; only when every connection is serving requests is a
/// new one refused.
public final class ConnectionGate: Sendable {
    /// What happens to a new connection.
    enum Admission: Equatable {
        case admitted
        case admittedEvicting(ObjectIdentifier)
        case refused(ConnectionRefusal)
    }

    private struct Tracked {
        let address: String
        let order: UInt64
        var waiting: Bool
        let channel: any Channel
    }

    private struct State {
        var open: [ObjectIdentifier: Tracked] = [:]
        var perAddress: [String: Int] = [:]
        var accepted: UInt64 = 0
    }

    public let limits: ConnectionLimits
    /// The listener's name in metrics (`edge`, `grpc`, `ingest`, `metrics`).
    public let listener: String
    private let metrics: MetricsRegistry
    private let state = Mutex(State())

    public init(listener: String, limits: ConnectionLimits, metrics: MetricsRegistry = .process) {
        self.listener = listener
        self.limits = limits
        self.metrics = metrics
    }

    /// Connections open now.
    public var openConnections: Int { state.withLock { $0.open.count } }

    /// Counts a new connection from `address`, closing the connection evicted to make room; a refusal is counted and
    /// the caller closes the connection.
    func admit(_ channel: any Channel, address: String) -> Admission {
        let id = ObjectIdentifier(channel)
        let (admission, victim): (Admission, (any Channel)?) = state.withLock { state in
            var victim: (key: ObjectIdentifier, value: Tracked)?
            if state.perAddress[address, default: 0] >= limits.maxPerAddress {
                victim = Self.oldestWaiting(in: state.open) { $0.address == address }
                if victim == nil { return (.refused(.addressFull(limit: limits.maxPerAddress)), nil) }
            } else if state.open.count >= limits.maxConnections {
                victim = Self.oldestWaiting(in: state.open) { _ in true }
                if victim == nil { return (.refused(.listenerFull(limit: limits.maxConnections)), nil) }
            }
            if let victim { Self.remove(victim.key, from: &state) }
            state.accepted += 1
            state.open[id] = Tracked(address: address, order: state.accepted, waiting: true, channel: channel)
            state.perAddress[address, default: 0] += 1
            return (victim.map { .admittedEvicting($0.key) } ?? .admitted, victim?.value.channel)
        }
        if case .refused(let refusal) = admission { count(refusal) }
        if let victim {
            count(.evicted)
            victim.close(promise: nil)
        }
        return admission
    }

    /// The connection has sent a request head: it is no longer the first to be evicted.
    func requestStarted(_ channel: any Channel) {
        state.withLock { state in state.open[ObjectIdentifier(channel)]?.waiting = false }
    }

    /// The connection closed (or was evicted): it no longer counts.
    func closed(_ channel: any Channel) {
        state.withLock { state in Self.remove(ObjectIdentifier(channel), from: &state) }
    }

    /// Counts a connection refused or closed by the limits.
    func count(_ refusal: ConnectionRefusal) {
        metrics.increment(.edgeConnectionsRefused, labels: listener, refusal.reason)
    }

    private static func oldestWaiting(in open: [ObjectIdentifier: Tracked],
                                      where matches: (Tracked) -> Bool) -> (key: ObjectIdentifier, value: Tracked)? {
        open.filter { $0.value.waiting && matches($0.value) }.min { $0.value.order < $1.value.order }
    }

    private static func remove(_ id: ObjectIdentifier, from state: inout State) {
        guard let tracked = state.open.removeValue(forKey: id) else { return }
        let left = state.perAddress[tracked.address, default: 1] - 1
        state.perAddress[tracked.address] = left > 0 ? left : nil
    }
}
