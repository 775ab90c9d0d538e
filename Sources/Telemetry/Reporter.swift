public import Logging

/// A component's reporting handles: the registry its metrics go to and its logger (labelled with the component).
/// Its counters are created at zero so that /metrics lists them before anything has happened.
public struct Reporter: Sendable {
    public let metrics: MetricsRegistry
    public let logger: Logger

    public init(component: String, metrics: MetricsRegistry, counters: [StreamflowMetrics.Metric]) {
        self.metrics = metrics
        logger = Logger(label: component)
        for counter in counters { metrics.increment(counter, by: 0) }
    }
}

/// A component that reports through a `Reporter` (the orchestrator's, broadcaster's and redeemer's telemetry).
public protocol Reporting: Sendable {
    var reporter: Reporter { get }
}

extension Reporting {
    /// The registry this component's metrics go to.
    public var metrics: MetricsRegistry { reporter.metrics }
    /// This component's logger (its label is the `component` of each line).
    public var logger: Logger { reporter.logger }
}
