public import Hummingbird
import Foundation
public import Orchestrator
import HTTPTypes
public import EthCrypto
import SwiftProtobuf
import Wire
public import Payments
import Telemetry

/// The orchestrator's HTTP edge, as go-livepeer's: POST /segment (body: the segment; headers Livepeer-Segment
/// and Livepeer-Payment, base64 protobuf) answered with a protobuf TranscodeResult or a status code, and
/// GET /stream/{manifest}/{file} serving the renditions it produced.
public enum EdgeRoutes {
    /// Largest segment body accepted (a 2 s segment at 1080p is a few MB).
    public static let maxSegmentBytes = 64 << 20

    /// GET /orchestrator-info?sender=0x… answers with a protobuf OrchestratorInfo (go-livepeer's GetOrchestrator
    /// reply over plain HTTP, kept for tools; broadcasters use the gRPC service, which checks the request's signature).
    /// Adds the routes to `router`. `context()` is the chain as the orchestrator sees it now, `now()` seconds
    /// since the epoch, `record` receives the payment events of each request (to append to the log), and segment
    /// bodies are read under `budget` once their headers pass.
    public static func add<Context: RequestContext>(
        to router: Router<Context>, node: OrchestratorNode, context: @escaping @Sendable () -> ValidationContext,
        now: @escaping @Sendable () -> Int64, record: @escaping @Sendable ([PaymentEvent]) async -> Void,
        budget: BodyBudget = BodyBudget(),
        funds: (@Sendable (Address) -> SenderFunds)? = nil
    ) {
        let source = OrchestratorInfoSource(node: node, context: context, now: now, funds: funds)
        router.post("segment") { request, _ -> Response in
            let segment = request.headers[HTTPField.Name("Livepeer-Segment")!] ?? ""
            let payment = request.headers[HTTPField.Name("Livepeer-Payment")!] ?? ""
            let respond = { (body: [UInt8]) async -> Response in
                let reply = await node.handleSegment(segmentHeader: segment, paymentHeader: payment, body: body, context: context(),
                                                     now: now(), offer: { sender in try? source.info(for: sender ?? .zero) })
                await record(reply.events)
                let type = reply.status == 200 ? "application/vnd+livepeer.transcoderesult" : "text/plain; charset=utf-8"
                return Response(status: HTTPResponse.Status(code: reply.status), headers: [.contentType: type],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
            }
            // Headers first: a request they refuse is answered (and recorded) without its body being read.
            if case .failure = node.intake.checkHeaders(segmentHeader: segment, paymentHeader: payment, now: now()) {
                return await respond([])
            }
            return try await BoundedBody.with(request, budget: budget, limit: maxSegmentBytes, metrics: node.telemetry.metrics) {
                await respond(Array(buffer: $0))
            }
        }
        router.get("orchestrator-info") { request, _ -> Response in
            guard let text = request.uri.queryParameters["sender"].map(String.init), let sender = try? Address(text) else {
                return Response(status: .badRequest)
            }
            guard let info = try? await source.freshInfo(for: sender), let bytes = try? info.serializedBytes() as [UInt8] else {
                return Response(status: .serviceUnavailable)
            }
            return Response(status: .ok, headers: [.contentType: "application/vnd+livepeer.orchestratorinfo"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("stream/:manifest/:file") { request, requestContext -> Response in
            let manifest = try requestContext.parameters.require("manifest")
            let file = try requestContext.parameters.require("file")
            guard isSafe(manifest), isSafe(file), file.hasSuffix(".ts") else { return Response(status: .notFound) }
            let path = "\(node.outputDirectory)/\(manifest)/\(file)"
            guard let data = FileManager.default.contents(atPath: path) else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [.contentType: "video/MP2T"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// Letters, digits, '-', '_' and '.', and not a dot-only name: no way out of the output directory.
    static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
            && !name.allSatisfy { $0 == "." }
    }
}
