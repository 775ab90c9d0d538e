import Foundation
import HTTPTypes
public import Hummingbird
public import Orchestrator
public import Telemetry
import Wire

/// The HTTP side of remote transcoders: GET /transcoder/source/{token} serves a task's source segment (the
/// token is 32 random bytes, valid while the task waits), and POST /transcodeResults takes its renditions —
/// headers Authorization: Livepeer-Transcoder-1.0, Credentials: <secret>, TaskId, Pixels; body multipart/mixed
/// (see `RenditionMultipart`) or, with Content-Type application/vnd+livepeer.transcode-error, the reason it failed.
public enum TranscoderRoutes {
    /// The Authorization header's value on result posts (go-livepeer's protocol name).
    public static let authorization = "Livepeer-Transcoder-1.0"

    /// Most bytes one result may send (every rendition of a segment).
    public static let maxResultBytes = EdgeRoutes.maxSegmentBytes * 4

    /// Adds the routes; result bodies are read under `budget`, and only once their headers (Authorization,
    /// Credentials, a task that is waiting) pass.
    public static func add<Context: RequestContext>(to router: Router<Context>, hub: RemoteTranscoderHub, budget: BodyBudget = BodyBudget(),
                                                    metrics: MetricsRegistry = .process) {
        router.get("transcoder/source/:token") { _, requestContext -> Response in
            let token = try requestContext.parameters.require("token")
            guard let path = hub.sourcePath(token: token), let data = FileManager.default.contents(atPath: path) else {
                return Response(status: .notFound)
            }
            return Response(status: .ok, headers: [.contentType: "video/MP2T"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("transcodeResults") { request, _ -> Response in
            guard request.headers[.authorization] == authorization else {
                return text(.unauthorized, "Authorization must be \(authorization)")
            }
            guard let taskID = request.headers[HTTPField.Name("TaskId")!].flatMap({ Int64($0) }) else {
                return text(.badRequest, "TaskId header missing or not an integer")
            }
            let credentials = request.headers[HTTPField.Name("Credentials")!] ?? ""
            guard hub.accepts(credentials: credentials) else { return text(.unauthorized, "wrong Credentials") }
            guard hub.isWaiting(taskID: taskID) else { return text(.notFound, "task \(taskID) is not waiting for a result") }
            let contentType = request.headers[.contentType] ?? ""
            return try await BoundedBody.with(request, budget: budget, limit: maxResultBytes, metrics: metrics) { buffer in
                receive(Array(buffer: buffer), contentType: contentType, taskID: taskID, credentials: credentials, hub: hub)
            }
        }
    }

    /// Hands a result body to the hub and answers with its receipt.
    private static func receive(_ body: [UInt8], contentType: String, taskID: Int64, credentials: String,
                                hub: RemoteTranscoderHub) -> Response {
        let result: Result<[RenditionMultipart.Part], TranscoderFailure>
        if contentType.hasPrefix(RenditionMultipart.errorContentType) {
            result = .failure(.transcode(String(decoding: body, as: UTF8.self)))
        } else {
            do {
                result = .success(try RenditionMultipart.decode(body, contentType: contentType))
            } catch {
                result = .failure(.badResult("\(error)"))
            }
        }
        let receipt = hub.receive(taskID: taskID, credentials: credentials, result: result)
        switch receipt {
        case .accepted: return Response(status: .ok)
        case .badCredentials: return text(.unauthorized, "wrong Credentials")
        case .unknownTask: return text(.notFound, "task \(taskID) is not waiting for a result")
        case .rejected(let why): return text(.badRequest, why)
        }
    }

    private static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }
}
