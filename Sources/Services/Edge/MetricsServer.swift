public import Logging
import Hummingbird
public import ServiceLifecycle
public import Telemetry

/// A tiny HTTP server answering only GET /metrics, for a process with no edge of its own (a broadcaster). A
/// `Service`: it stops accepting on graceful shutdown and lets a scrape in flight finish. Its connections are capped and
/// timed by `limits`.
public struct MetricsServer: Service {
    public let host: String
    public let port: Int
    public let metrics: MetricsRegistry
    public let limits: ConnectionLimits
    private let logger: Logger

    public init(host: String = "127.0.0.1", port: Int, metrics: MetricsRegistry = .process,
                logger: Logger = Logger(label: "metrics"), limits: ConnectionLimits = .standard) {
        self.limits = limits
        self.host = host
        self.port = port
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let router = Router()
        EdgeRoutes.addMetrics(to: router, metrics: metrics)
        let logger = logger, host = host
        let gate = ConnectionGate(listener: "metrics", limits: limits.fitted(), metrics: metrics)
        let app = Application(router: router, server: .guarded(tls: nil, gate: gate),
                              configuration: .init(address: .hostname(host, port: port)),
                              onServerRunning: { channel in
                                  logger.info("metrics listening", metadata: [
                                      "url": "http://\(host):\(channel.localAddress?.port ?? 0)/metrics"])
                              }, logger: logger)
        try await app.run()
    }
}
