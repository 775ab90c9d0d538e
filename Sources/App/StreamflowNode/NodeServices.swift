import Edge
import EventLog
import EventModel
import Fleet
import KafkaBus
import Logging
import Projections
import ServiceLifecycle
import Synchronization
import WireRPC

/// The plaintext (or extra) gRPC listener as a service: binds, publishes its address, serves until graceful shutdown
/// (RPCs in flight finish; remote transcoders' streams end).
struct RPCService: Service {
    let server: RPCServer
    let address: OneShot<NodeAddress>

    func run() async throws {
        do { address.set(try await server.start()) } catch {
            address.fail(error)
            throw error
        }
        try await withGracefulShutdownHandler { try await server.wait() } onGracefulShutdown: { server.stop() }
    }
}

/// Signs the log's head on the checkpoint policy's cadence, woken by the log's tail (a commit) or the interval
/// deadline, never by polling; signs a last checkpoint at shutdown.
struct CheckpointService: Service {
    let log: EventLog
    let checkpointer: LogCheckpointer
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var position = log.head.sequence
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let observed = position
            let log = log
            // A commit or the interval, whichever first; graceful shutdown ends the wait.
            _ = await withTimeout(interval, onTimeout: { false }) {
                await cancelWhenGracefulShutdownQuietly { await log.waitForHead(after: observed) }
                return true
            }
            position = log.head.sequence
            do { try await checkpointer.checkpointIfDue() } catch { logger.error("log checkpoint failed", metadata: ["error": "\(error)"]) }
        }
        do { try await checkpointer.checkpointNow() } catch { logger.error("final log checkpoint failed", metadata: ["error": "\(error)"]) }
    }
}

/// Runs `operation` until it ends or graceful shutdown begins (then it is cancelled).
func cancelWhenGracefulShutdownQuietly(_ operation: @escaping @Sendable () async -> Void) async {
    _ = try? await cancelWhenGracefulShutdown { await operation() }
}

/// The distributed node's log sink as a service: consumes the topics into the log until graceful shutdown; then waits
/// (at most `drainLimit`) until every event this node published is in the log — the last event of each topic and
/// partition key, so everything before it is too — and leaves the consumer group.
struct LogSinkService: Service {
    let sink: KafkaLogSink
    let events: KafkaEventSink
    let host: ProjectionHost
    let drainLimit: Duration
    let logger: Logger

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sink.run() }
            group.addTask {
                do { try await gracefulShutdown() } catch { sink.stop(); return }
                await events.flush()
                let marks = events.lastPublishedIDs
                let host = host
                let drained = await withTimeout(drainLimit, onTimeout: { false }) {
                    for id in marks {
                        do { try await host.waitUntilApplied(eventID: id) } catch { return false }
                    }
                    return true
                }
                if !drained { logger.warning("log sink stopped before the log had every published event; they stay on the topics for the next start") }
                sink.stop()
            }
            try await group.next()
            try await group.next()
        }
    }
}

/// The Kafka fleet's result reader as a service: until graceful shutdown, then tasks still waiting fail (the edge has
/// drained by then, so none should be).
struct FleetService: Service {
    let fleet: FleetTranscoder

    func run() async throws {
        await withGracefulShutdownHandler { await fleet.run() } onGracefulShutdown: { fleet.stop() }
    }
}
