import Foundation
import EventModel
public import Hummingbird
import Logging
import ServiceLifecycle
import HummingbirdCore
import HummingbirdTLS
import HummingbirdHTTP2
import GRPCCore
import Synchronization
public import Orchestrator
public import Payments
import Telemetry

/// An orchestrator's edge running on an address until stopped: Hummingbird on `host:port` (0 picks a free
/// port), over TLS when given an identity, the node's public URL set to where it listens; with a hub, also the
/// remote transcoders' source and result routes. Over TLS it is go-livepeer's one port: ALPN offers h2 and
/// http/1.1, and HTTP/2 requests with content type application/grpc are the gRPC Orchestrator (and, with a
/// hub, Transcoder) services; every HTTP route answers over both HTTP versions. Connections are capped and timed by
/// `limits.connections`, and request bodies are read under the node's `limits.budget`.
public final class EdgeServer: Sendable {
    public let node: OrchestratorNode
    private let host: String
    private let port: Int
    private let context: @Sendable () -> ValidationContext
    private let now: @Sendable () -> Int64
    private let record: @Sendable ([PaymentEvent]) async -> Void
    private let tls: TLSIdentity?
    private let hub: RemoteTranscoderHub?
    /// The body budget and connection limits this edge applies.
    public let limits: ServerLimits
    /// This listener's connections.
    let gate: ConnectionGate
    /// The task `start()` runs the group in (nil when the edge runs as a service of another group).
    private let task = Mutex<Task<Void, any Error>?>(nil)
    let bound = BoundPort()
    private let shutdown = GroupBox()
    /// `host:port` as configured, for errors.
    var address: String { "\(host):\(port)" }
    /// gRPC on this port (TLS only: plaintext HTTP/2 would need prior knowledge, so without TLS gRPC keeps its
    /// own `RPCServer` port).
    let rpc: (transport: EdgeRPCTransport, server: GRPCServer<EdgeRPCTransport>, methods: [MethodDescriptor])?

    public init(node: OrchestratorNode, host: String = "127.0.0.1", port: Int = 0,
                context: @escaping @Sendable () -> ValidationContext,
                now: @escaping @Sendable () -> Int64 = EdgeServer.wallClock,
                record: @escaping @Sendable ([PaymentEvent]) async -> Void = { _ in },
                tls: TLSIdentity? = nil, hub: RemoteTranscoderHub? = nil, limits: ServerLimits = ServerLimits()) {
        self.node = node
        self.limits = limits
        gate = limits.gate("edge", metrics: node.telemetry.metrics)
        self.tls = tls
        self.hub = hub
        self.host = host
        self.port = port
        self.context = context
        self.now = now
        self.record = record
        if tls != nil {
            var services: [any RegistrableRPCService] = [OrchestratorService(source: OrchestratorInfoSource(node: node, context: context, now: now))]
            if let hub { services.append(TranscoderService(hub: hub)) }
            var router = RPCRouter<EdgeRPCTransport>()
            for service in services { service.registerMethods(with: &router) }
            let transport = EdgeRPCTransport()
            rpc = (transport, GRPCServer(transport: transport, services: services), router.methods)
        } else {
            rpc = nil
        }
    }

    /// Seconds since the epoch, from the system clock (the default `now`).
    public static func wallClock() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// Starts serving (as a one-service group, so `stop()` is a graceful shutdown); returns the base URL once
    /// the socket is bound.
    public func start() async throws -> String {
        let group = ServiceGroup(configuration: .init(services: [self], logger: node.telemetry.logger))
        shutdown.set(group)
        task.withLock { $0 = Task { try await group.run() } }
        return try await listening()
    }

    /// The edge's routes (and GET /metrics from the node's registry) on `host:port`, recording the port it binds.
    func makeApplication() throws -> some ApplicationProtocol {
        let router = Router(context: EdgeRequestContext.self)
        EdgeRoutes.add(to: router, node: node, context: context, now: now, record: record, budget: limits.budget)
        EdgeRoutes.addMetrics(to: router, metrics: node.telemetry.metrics) { [node] in _ = node.healthProblems() }
        EdgeRoutes.addHealth(to: router, node: node)
        if let hub { TranscoderRoutes.add(to: router, hub: hub, budget: limits.budget, metrics: node.telemetry.metrics) }
        if let rpc { GRPCRoutes.add(to: router, methods: rpc.methods, transport: rpc.transport) }
        let (box, node, hub, scheme, host) = (bound, node, hub, tls == nil ? "http" : "https", host)
        let server = HTTPServerBuilder.guarded(tls: try tls?.serverConfiguration(), gate: gate)
        return Application(router: router, server: server, configuration: .init(address: .hostname(host, port: port)),
                           onServerRunning: { channel in
                               // The one write of the node's URL: the socket is bound, nobody knows a port-0 edge yet.
                               if let port = channel.localAddress?.port {
                                   node.announce(publicURL: "\(scheme)://\(host):\(port)")
                                   hub?.sourceBaseURL = node.publicURL
                               }
                               box.set(channel.localAddress?.port)
                           }, logger: Logger(label: "edge"))
    }

    /// Waits until the socket is bound (by `start()` or `run()`); returns the base URL (the node's, set when it bound).
    public func listening() async throws -> String {
        _ = try await bound.wait()
        return node.publicURL
    }

    /// Stops serving: no new connections, requests in flight finish (a graceful shutdown of its group).
    public func stop() {
        guard let group = shutdown.value else { return task.withLock { $0 }?.cancel() ?? () }
        Task { await group.triggerGracefulShutdown() }
    }

    /// Serves until the task running it is cancelled.
    public func wait() async throws { try await task.withLock { $0 }?.value }
}

/// Why the edge could not serve.
public enum EdgeError: Error, Equatable, Sendable, CustomStringConvertible {
    case didNotStart
    case cannotListen(address: String, reason: String)
    public var description: String {
        switch self {
        case .didNotStart: "the HTTP server did not start within 10 s"
        case .cannotListen(let address, let reason):
            "cannot listen on \(address): \(reason). If another process holds the port, stop it or choose another "
                + "port (0 picks a free one); a host name must be an address of this machine"
        }
    }
}

/// The service group `start()` runs the edge in, kept for `stop()`.
final class GroupBox: Sendable {
    private let stored = Mutex<ServiceGroup?>(nil)
    func set(_ group: ServiceGroup) { stored.withLock { $0 = group } }
    var value: ServiceGroup? { stored.withLock { $0 } }
}

/// The port a server bound, written by its start callback, or why it could not bind; `wait()` suspends until one
/// of the two (or 10 s) without polling.
final class BoundPort: Sendable {
    private typealias Outcome = Result<Int, any Error>
    private struct State {
        var port: Int?
        var failure: EdgeError?
        /// The suspended `wait()` calls, by ticket; each is removed by whoever resumes it, so it is resumed once.
        var waiters: [Int: CheckedContinuation<Outcome, Never>] = [:]
        /// Tickets whose wait was cancelled before it suspended.
        var cancelled: Set<Int> = []
        var tickets = 0
    }
    private let state = Mutex(State())

    func set(_ port: Int?) {
        let waiters: [CheckedContinuation<Outcome, Never>] = state.withLock { state in
            state.port = port
            guard port != nil else { return [] }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        if let port { for waiter in waiters { waiter.resume(returning: .success(port)) } }
    }

    var value: Int? { state.withLock { $0.port } }

    /// The server ended before it listened (a port in use, an address not of this machine).
    func fail(address: String, error: any Error) {
        let failure = EdgeError.cannotListen(address: address, reason: "\(error)")
        let waiters: [CheckedContinuation<Outcome, Never>] = state.withLock { state in
            guard state.port == nil else { return [] }
            state.failure = failure
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: .failure(failure)) }
    }

    /// Runs a server, recording a failure to listen for `wait()`.
    func run(address: String, _ server: () async throws -> Void) async throws {
        do { try await server() } catch {
            fail(address: address, error: error)
            throw error
        }
    }

    /// The port once bound; why not, as soon as the server failed; `EdgeError.didNotStart` after 10 s of neither
    /// (`CancellationError` when the caller is cancelled first).
    func wait() async throws -> Int {
        let ticket = state.withLock { state in
            state.tickets += 1
            return state.tickets
        }
        let outcome = await withTimeout(.seconds(10), onTimeout: { Outcome.failure(EdgeError.didNotStart) }) {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                    self.suspend(ticket, continuation)
                }
            } onCancel: {
                self.cancel(ticket)
            }
        }
        return try outcome.get()
    }

    /// Parks a waiter, or resumes it at once when the outcome is known or its wait was already cancelled.
    private func suspend(_ ticket: Int, _ continuation: CheckedContinuation<Outcome, Never>) {
        let now: Outcome? = state.withLock { state in
            let cancelled = state.cancelled.remove(ticket) != nil
            if let port = state.port { return .success(port) }
            if let failure = state.failure { return .failure(failure) }
            if cancelled { return .failure(CancellationError()) }
            state.waiters[ticket] = continuation
            return nil
        }
        if let now { continuation.resume(returning: now) }
    }

    /// Ends a cancelled wait (the timeout's, or its caller's): resumes it if parked, else marks it for `suspend`.
    private func cancel(_ ticket: Int) {
        let waiter: CheckedContinuation<Outcome, Never>? = state.withLock { state in
            if let waiter = state.waiters.removeValue(forKey: ticket) { return waiter }
            if state.port == nil && state.failure == nil { state.cancelled.insert(ticket) }
            return nil
        }
        waiter?.resume(returning: .failure(CancellationError()))
    }
}
