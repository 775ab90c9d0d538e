import Foundation
public import Hummingbird
import HTTPTypes
import Broadcaster

/// A broadcaster node's HTTP side, as go-livepeer's: segments pushed with PUT or POST
/// /live/{manifest}/{seq}.ts (Content-Duration in ms), each answered once it is delivered (200) or lost
/// (503); and the live HLS output served under /hls/{manifest}/….
public enum IngestRoutes {
    public static func add<Context: RequestContext>(to router: Router<Context>, sessions: StreamSessions, outputDirectory: String) {
        let push: @Sendable (Request, Context) async throws -> Response = { request, context in
            let manifest = try context.parameters.require("manifest")
            let file = try context.parameters.require("segment")
            guard EdgeRoutes.isSafe(manifest), file.hasSuffix(".ts"), let seq = Int64(file.dropLast(3)), seq >= 0 else {
                return text(.badRequest, "expected /live/{manifest}/{seq}.ts with a safe manifest name and a number")
            }
            let durationMs = request.headers[HTTPField.Name("Content-Duration")!].flatMap { Int32($0) } ?? 2_000
            guard durationMs > 0, durationMs <= 60_000 else { return text(.badRequest, "Content-Duration must be 1…60000 ms") }
            let body = try await request.body.collect(upTo: EdgeRoutes.maxSegmentBytes)
            guard body.readableBytes > 0 else { return text(.badRequest, "empty segment") }
            let outcome = try await sessions.handle(manifest: manifest,
                                                    segment: BroadcastSegment(seq: seq, bytes: Array(buffer: body), durationMs: durationMs))
            guard let by = outcome.deliveredBy else {
                let reasons = outcome.failures.map { "\($0.url): \($0.reason)" }.joined(separator: "\n")
                return text(.serviceUnavailable, "segment \(seq) lost after \(outcome.failures.count) attempts\n\(reasons)")
            }
            return text(.ok, "segment \(seq) delivered by \(by) in \(outcome.latencyMs) ms")
        }
        router.put("live/:manifest/:segment", use: push)
        router.post("live/:manifest/:segment", use: push)
        router.get("hls/**") { _, context -> Response in
            let parts = context.parameters.getCatchAll().map(String.init)
            switch parts.count {
            case 2: return serve(outputDirectory, parts[0], nil, parts[1])
            case 3: return serve(outputDirectory, parts[0], parts[1], parts[2])
            default: return Response(status: .notFound)
            }
        }
    }

    /// A playlist or segment from the output directory (names checked: no way out of it).
    static func serve(_ root: String, _ manifest: String, _ profile: String?, _ file: String) -> Response {
        guard EdgeRoutes.isSafe(manifest), profile.map(EdgeRoutes.isSafe) ?? true, EdgeRoutes.isSafe(file),
              file.hasSuffix(".m3u8") || file.hasSuffix(".ts") else { return Response(status: .notFound) }
        let path = [root, manifest, profile, file].compactMap { $0 }.joined(separator: "/")
        guard let data = FileManager.default.contents(atPath: path) else { return Response(status: .notFound) }
        let type = file.hasSuffix(".m3u8") ? "application/vnd.apple.mpegurl" : "video/MP2T"
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
