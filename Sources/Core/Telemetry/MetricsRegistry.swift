import CoreMetrics
public import Prometheus
import Synchronization

/// A Prometheus registry and the swift-metrics factory that feeds it (with Streamflow's histogram buckets). The
/// process has one (`process`), bootstrapped into `MetricsSystem`; tests make their own to count in isolation.
public struct MetricsRegistry: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    /// A fresh, empty registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        for metric in StreamflowMetrics.all where metric.kind == .histogram {
            factory.durationHistogramBuckets[metric.name] = StreamflowMetrics.secondsBuckets
        }
        self.factory = factory
    }

    /// The process's registry: what GET /metrics serves unless a node was given another.
    public static let process = MetricsRegistry()

    private static let bootstrapped = Mutex(false)

    /// Makes `process` the factory behind `MetricsSystem` (so libraries' metrics are exported too). Safe to call more
    /// than once; only the first call bootstraps.
    public static func bootstrapProcess() {
        bootstrapped.withLock { done in
            guard !done else { return }
            MetricsSystem.bootstrap(process.factory)
            done = true
        }
    }

    /// Adds `amount` to a counter; `labels` are the values of `metric.labels`, in order.
    public func increment(_ metric: StreamflowMetrics.Metric, by amount: Int64 = 1, labels: String...) {
        CoreMetrics.Counter(label: metric.name, dimensions: dimensions(metric, labels), factory: factory).increment(by: amount)
    }

    /// Sets a gauge.
    public func set(_ metric: StreamflowMetrics.Metric, to value: Double, labels: String...) {
        CoreMetrics.Gauge(label: metric.name, dimensions: dimensions(metric, labels), factory: factory).record(value)
    }

    /// Records one observation of a seconds histogram.
    public func observe(_ metric: StreamflowMetrics.Metric, _ duration: Duration, labels: String...) {
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        CoreMetrics.Timer(label: metric.name, dimensions: dimensions(metric, labels), factory: factory).recordNanoseconds(nanoseconds)
    }

    /// Prometheus text exposition (format 0.0.4), with a HELP line for each of Streamflow's metrics.
    public func render() -> String {
        let help = Dictionary(StreamflowMetrics.all.map { ($0.name, $0.help) }, uniquingKeysWith: { first, _ in first })
        var lines: [Substring] = []
        for line in registry.emitToString().split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE "), let name = line.dropFirst(7).split(separator: " ").first, let text = help[String(name)] {
                lines.append("# HELP \(name) \(text)")
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    /// The content type of `render()`'s text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private func dimensions(_ metric: StreamflowMetrics.Metric, _ values: [String]) -> [(String, String)] {
        precondition(values.count == metric.labels.count, "\(metric.name) takes labels \(metric.labels)")
        return Array(zip(metric.labels, values))
    }
}
