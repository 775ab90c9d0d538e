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
