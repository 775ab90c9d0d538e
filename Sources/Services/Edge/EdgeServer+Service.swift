import EthCrypto
import Hummingbird
import Logging
import Orchestrator
public import ServiceLifecycle
import Telemetry
import GRPCCore

/// The edge as a swift-service-lifecycle `Service`, for a `ServiceGroup` with SIGTERM/SIGINT as graceful shutdown
/// signals: on graceful shutdown it stops accepting connections, lets requests in flight finish, then returns.
/// (`start()`/`stop()`/`wait()` remain for tests and the in-process demo.)
extension EdgeServer: Service {
    public func run() async throws {
        let app = try makeApplication()
        let logger = node.telemetry.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Structured, so the group's graceful shutdown reaches Hummingbird's server (which quiesces).
            group.addTask { try await self.bound.run(address: self.address) { try await app.run() } }
            if let rpc {
                group.addTask {
                    try await withGracefulShutdownHandler {
                        try await rpc.server.serve()
                    } onGracefulShutdown: {
                        rpc.transport.beginGracefulShutdown()
                        rpc.server.beginGracefulShutdown()
                    }
                }
            }
            let url = try await listening()
            logger.info("listening", metadata: ["url": "\(url)", "address": "\(node.key.address.checksummed)"])
            try await group.waitForAll()
        }
        logger.info("edge stopped: no longer accepting, requests in flight finished")
    }
}
