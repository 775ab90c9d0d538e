public import Telemetry

/// The limits every server of a node applies: one body budget shared by the whole process, and the connection limits
/// each listener enforces with a `ConnectionGate` of its own.
public struct ServerLimits: Sendable {
    /// Request-body bytes in flight for the node (shared by every server given these limits).
    public let budget: BodyBudget
    /// Each listener's connection limits (the listener cap fitted to the open-file limit when the gate is made).
    public let connections: ConnectionLimits

    public init(budget: BodyBudget = BodyBudget(), connections: ConnectionLimits = .standard) {
        self.budget = budget
        self.connections = connections
    }

    /// A gate for one listener named `listener` in metrics.
    public func gate(_ listener: String, metrics: MetricsRegistry = .process) -> ConnectionGate {
        ConnectionGate(listener: listener, limits: connections.fitted(), metrics: metrics)
    }
}
