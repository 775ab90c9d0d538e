public import Hummingbird
import HTTPTypes
public import Orchestrator

extension EdgeRoutes {
    /// GET /healthz: 200 `ok` while the node is healthy, else 503 with one problem per line (events its sink could
    /// not store, requests refused because their payment events were not durable). For load balancers and alerts.
    public static func addHealth<Context: RequestContext>(to router: Router<Context>, node: OrchestratorNode) {
        router.get("healthz") { _, _ -> Response in
            let problems = node.healthProblems()
            return Response(status: problems.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: problems.isEmpty ? "ok\n" : problems.joined(separator: "\n") + "\n")))
        }
    }
}
