import EventLog
import EthCrypto
import Edge
import Foundation
import KafkaBus
public import WireRPC
import Logging
import Payments
import Orchestrator
import Projections
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
        if case .directory = self.configuration.storage { checkLiveStateAgainstLog() }
        logger.info("node stopped", metadata: ["address": "\(address.checksummed)", "log head": "\(log.head.sequence)"])
    }

    /// Whether the recipient's live ledger equals the one the projection host folded from the log (a node whose state
    /// is the log: a difference is a bug, logged as an error). Meaningful once the host has applied the whole log.
    public func liveLedgerMatchesLog() throws -> Bool {
        try orchestrator.intake.recipient.ledger == host.state(of: PaymentsLedgerProjection.self)
    }

    private func checkLiveStateAgainstLog() {
        do {
            let live = orchestrator.intake.recipient.ledger
            let rebuilt = try host.state(of: PaymentsLedgerProjection.self)
            if live == rebuilt {
                logger.info("live state equals the state rebuilt from the log", metadata: ["applied": "\(host.applied)"])
            } else {
                logger.error("live recipient ledger differs from the log's", metadata: [
                    "applied": "\(host.applied)", "live vs log": "\(live.differences(from: rebuilt).joined(separator: "; "))"])
            }
        } catch {
            logger.error("cannot compare the live state with the log", metadata: ["error": "\(error)"])
        }
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
