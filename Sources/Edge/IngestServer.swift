import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A broadcaster node's HTTP server on `host:port` (0 picks a free port): push ingest and HLS output.
public final class IngestServer: @unchecked Sendable {
    // @unchecked: `task` is set once by `start` and read by `stop`; the port box is locked.
    public let sessions: StreamSessions
    public let outputDirectory: String
    private let host: String
    private let port: Int
    private var task: Task<Void, any Error>?
    private let bound = BoundPort()
    private let shutdown = GroupBox()

    public init(sessions: StreamSessions, outputDirectory: String, host: String = "127.0.0.1", port: Int = 0) {
        self.sessions = sessions
        self.outputDirectory = outputDirectory
        self.host = host
        self.port = port
    }

    /// Starts serving; returns the base URL once the socket is bound.
    public func start() async throws -> String {
        let router = Router()
        IngestRoutes.add(to: router, sessions: sessions, outputDirectory: outputDirectory)
        let box = bound
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)),
                              onServerRunning: { channel in box.set(channel.localAddress?.port) })
        let address = "\(host):\(port)"
        // A one-service group, so that `stop()` is a graceful shutdown (requests in flight finish) and not a
        // cancellation, which Hummingbird reports as an error.
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "ingest")))
        shutdown.set(group)
        task = Task { try await box.run(address: address) { try await group.run() } }
        return "http://\(host):\(try await bound.wait())"
    }

    /// Stops serving: no new connections, requests in flight finish.
    public func stop() {
        guard let group = shutdown.value else { return task?.cancel() ?? () }
        Task { await group.triggerGracefulShutdown() }
    }
    public func wait() async throws { try await task?.value }
}
