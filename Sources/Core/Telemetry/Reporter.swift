public import Logging

/// A component's reporting handles: the registry its metrics go to and its logger (labelled with the component).
/// Its counters are created at zero so that /metrics lists them before anything has happened.
public struct Reporter: Sendable {
    public let metrics: MetricsRegistry
    public let logger: Logger
    /// Bounds the lines logged for repeated events (refusals, failures) of one kind.
    public let limiter: LogRateLimiter

    /// `logLevel`, when given, is the lowest level this component logs (the handler's otherwise).
    public init(component: String, metrics: MetricsRegistry, counters: [StreamflowMetrics.Metric],
                limiter: LogRateLimiter = .process, logLevel: Logger.Level? = nil) {
        self.metrics = metrics
        self.limiter = limiter
        var logger = Logger(label: component)
        if let logLevel { logger.logLevel = logLevel }
        self.logger = logger
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

extension Reporting {
    /// Logs a line that may repeat at the rate of hostile traffic, at most the limiter's lines per window per
    /// `kind`; a line after dropped ones carries `suppressed` = how many were dropped.
    public func logRepeated(_ level: Logger.Level, _ message: @autoclosure () -> Logger.Message, kind: String,
                            metadata: @autoclosure () -> Logger.Metadata = [:],
                            file: String = #fileID, function: String = #function, line: UInt = #line) {
        guard logger.logLevel <= level, let dropped = reporter.limiter.admit("\(logger.label).\(kind)") else { return }
        var fields = metadata()
        if dropped > 0 { fields["suppressed"] = "\(dropped)" }
        logger.log(level: level, message(), metadata: fields, file: file, function: function, line: line)
    }
}
