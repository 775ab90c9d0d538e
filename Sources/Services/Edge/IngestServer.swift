import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A broadcaster node's HTTP server on `host:port` (0 picks a free port): push ingest and HLS output, its connections
/// capped and timed and its pushed bodies read under the node's body budget (`limits`).
public final class IngestServer: Sendable {
    public let sessions: StreamSessions
    public let outputDirectory: String
    private let host: String
    private let port: Int
    /// The task `start` runs the server's group in (nil before).
    private let task = Mutex<Task<Void, any Error>?>(nil)
    private let bound = BoundPort()
    private let shutdown = GroupBox()
    /// The body budget and connection limits this server applies.
    public let limits: ServerLimits
    private let gate: ConnectionGate

    public init(sessions: StreamSessions, outputDirectory: String, host: String = "127.0.0.1", port: Int = 0,
                limits: ServerLimits = ServerLimits()) {
        self.sessions = sessions
        self.limits = limits
        gate = limits.gate("ingest")
        self.outputDirectory = outputDirectory
        self.host = host
        self.port = port
    }

    /// Starts serving; returns the base URL once the socket is bound.
    public func start() async throws -> String {
        let router = Router()
        IngestRoutes.add(to: router, sessions: sessions, outputDirectory: outputDirectory, budget: limits.budget)
        let box = bound
        let app = Application(router: router, server: .guarded(tls: nil, gate: gate),
                              configuration: .init(address: .hostname(host, port: port)),
                              onServerRunning: { channel in box.set(channel.localAddress?.port) })
        let address = "\(host):\(port)"
        // A one-service group, so that `stop()` is a graceful shutdown (requests in flight finish) and not a
        // cancellation, which Hummingbird reports as an error.
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "ingest")))
        shutdown.set(group)
        task.withLock { $0 = Task { try await box.run(address: address) { try await group.run() } } }
        return "http://\(host):\(try await bound.wait())"
    }

    /// Stops serving: no new connections, requests in flight finish.
    public func stop() {
        guard let group = shutdown.value else { return task.withLock { $0 }?.cancel() ?? () }
        Task { await group.triggerGracefulShutdown() }
    }
    /// Serves until stopped.
    public func wait() async throws { try await task.withLock { $0 }?.value }
}
