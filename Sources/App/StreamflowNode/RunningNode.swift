import Logging
public import ServiceLifecycle

/// A node running in a service group of its own (the demo, benchmarks, tests): `stop()` is a graceful shutdown and
/// returns once every part has stopped. A command runs its node under `NodeLifecycle` instead (signals).
public final class RunningNode: Sendable {
    public let node: Node
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts `node`; returns once its listeners are bound (or throws why they could not bind).
    public static func start(_ node: Node) async throws -> RunningNode {
        let running = RunningNode(node)
        do { _ = try await node.listening() } catch {
            try? await running.stop()
            throw error
        }
        return running
    }

    private init(_ node: Node) {
        self.node = node
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [node], logger: node.logger))
        self.group = group
        task = Task { try await group.run() }
    }

    /// Gracefully shuts the node down and waits for it (rethrows a part's failure).
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
