public import Hummingbird
import HTTPTypes
public import Telemetry

extension EdgeRoutes {
    /// GET /metrics: `metrics` in Prometheus's text format (the process's registry unless given another).
    public static func addMetrics<Context: RequestContext>(to router: Router<Context>, metrics: MetricsRegistry = .process) {
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: MetricsRegistry.contentType],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }
}
