import EventLog
import EthCrypto
import Edge
import Foundation
import KafkaBus
public import WireRPC
import Logging
public import ServiceLifecycle

extension Node {
    /// Runs every part in one `ServiceGroup` until graceful shutdown (the enclosing group's, e.g. SIGTERM) or a part
    /// fails (then the others shut down gracefully and the error is rethrown): listeners drain first, then the
    /// checkpointer, redeemer, fleet and log sink, the projection host last. Closes what the node opened.
    public func run() async throws {
        let configured = services.map {
            ServiceGroupConfiguration.ServiceConfiguration(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                                                           failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        var configuration = ServiceGroupConfiguration(services: configured, logger: logger)
        configuration.maximumGracefulShutdownDuration = self.configuration.drainLimit
        let group = ServiceGroup(configuration: configuration)
        defer { close() }
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await group.run()
                return true
            }
            tasks.addTask {
                // The enclosing group's graceful shutdown becomes this group's (cancellation ends the wait quietly).
                try? await gracefulShutdown()
                await group.triggerGracefulShutdown()
                return false
            }
            // Until the group has run to its end (a graceful shutdown drains it); then the watcher is not needed.
            while let groupEnded = try await tasks.next() {
                if groupEnded { tasks.cancelAll() }
            }
        }
        logger.info("node stopped", metadata: ["address": "\(address.checksummed)", "log head": "\(log.head.sequence)"])
    }

    /// Where the node listens once bound: the edge's base URL and, when configured, the separate gRPC address.
    public func listening() async throws -> (edgeURL: String, rpc: NodeAddress?) {
        let url = try await edge.listening()
        return (url, try await rpc?.address.value)
    }

    /// The address broadcasters are given: the gRPC port (plaintext) or the edge's one port (TLS).
    public func broadcasterAddress() async throws -> String {
        let (url, rpc) = try await listening()
        if configuration.tls == nil, let rpc { return "\(rpc)" }
        return url.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
    }

    private func close() {
        owned.producer?.close()
        owned.log?.close()
    }
}
