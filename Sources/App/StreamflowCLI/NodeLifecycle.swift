import Edge
import StreamflowNode
import WireRPC
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Running a node command under a swift-service-lifecycle `ServiceGroup`: SIGTERM and SIGINT shut it down
/// gracefully (stop accepting, finish requests in flight, at most `drainLimit`), then the command returns and exits 0.
enum NodeLifecycle {
    static let drainLimit: Duration = .seconds(30)
    static let logger = Logger(label: "lifecycle")

    /// Runs `node` until SIGTERM/SIGINT (logging its start with the `settings` in force): a graceful shutdown drains its
    /// listeners and stops its parts in order, at most `drainLimit`. `announce` gets its edge URL and gRPC address once bound.
    static func serve(_ node: Node, settings: [String: String],
                      announce: @escaping @Sendable (String, NodeAddress?) async throws -> Void) async throws {
        logger.info("orchestrator starting", metadata: settings.mapValues { .string($0) })
        let group = serviceGroup([node])
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let (url, rpc) = try await node.listening()
            try await announce(url, rpc)
            try await tasks.waitForAll()
        }
        logger.info("shutdown complete")
    }

    /// Runs `job` with a GET /metrics server on `port` beside it (when a port is given). SIGTERM/SIGINT stop the
    /// server and cancel the job, which ends early; when the job ends first, the server shuts down gracefully.
    static func withMetricsServer<Result: Sendable>(host: String, port: Int?,
                                                    _ job: @escaping @Sendable () async throws -> Result) async throws -> Result {
        guard let port else { return try await job() }
        let group = serviceGroup([MetricsServer(host: host, port: port)])
        return try await withThrowingTaskGroup(of: Result?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            tasks.addTask { try await job() }
            var result: Result?
            while let next = try await tasks.next() {
                if let next {
                    result = next
                    await group.triggerGracefulShutdown()
                } else if result == nil {
                    logger.notice("stopping early: shutdown requested")
                    tasks.cancelAll()
                }
            }
            guard let result else { throw CancellationError() }
            return result
        }
    }

    private static func serviceGroup(_ services: [any Service]) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger)
        configuration.maximumGracefulShutdownDuration = drainLimit
        return ServiceGroup(configuration: configuration)
    }
}
