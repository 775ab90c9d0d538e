public import Hummingbird
import HTTPTypes
public import Telemetry

extension EdgeRoutes {
    /// GET /metrics: `metrics` in Prometheus's text format (the process's registry unless given another); `refresh`
    /// runs first (counters kept elsewhere brought up to date).
    public static func addMetrics<Context: RequestContext>(to router: Router<Context>, metrics: MetricsRegistry = .process,
                                                           refresh: @escaping @Sendable () -> Void = {}) {
        router.get("metrics") { _, _ -> Response in
            refresh()
            return Response(status: .ok, headers: [.contentType: MetricsRegistry.contentType],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }
}
