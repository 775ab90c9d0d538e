import Foundation
public import Hummingbird
import HTTPTypes
import Broadcaster
import Transcoding
public import Telemetry

/// A broadcaster node's HTTP side, as go-livepeer's: segments pushed with PUT or POST
/// /live/{manifest}/{seq}.ts (Content-Duration in ms), each answered once it is delivered (200) or lost
/// (503); a body that is not video or far longer than declared is refused before it is paid for (422), a
/// delivered seq pushed again gets its first answer, a seq older than the live one 409; and the live HLS
/// output served under /hls/{manifest}/….
public enum IngestRoutes {
    /// Adds the routes; pushed bodies are read under `budget` once the path and Content-Duration pass.
    public static func add<Context: RequestContext>(to router: Router<Context>, sessions: StreamSessions, outputDirectory: String,
                                                    budget: BodyBudget = BodyBudget(), metrics: MetricsRegistry = .process) {
        let push: @Sendable (Request, Context) async throws -> Response = { request, context in
            let manifest = try context.parameters.require("manifest")
            let file = try context.parameters.require("segment")
            guard EdgeRoutes.isSafe(manifest), manifest.utf8.count <= maxManifestLength, file.hasSuffix(".ts"),
                  let seq = Int64(file.dropLast(3)), seq >= 0 else {
                return text(.badRequest, "expected /live/{manifest}/{seq}.ts with a safe manifest name of at most "
                                + "\(maxManifestLength) characters and a number")
            }
            let durationMs: Int32
            if let declared = request.headers[HTTPField.Name("Content-Duration")!] {
                guard let value = Int32(declared), value > 0, value <= 60_000 else {
                    return text(.badRequest, "Content-Duration must be 1…60000 ms, got \"\(declared.prefix(40))\"")
                }
                durationMs = value
            } else {
                durationMs = 2_000
            }
            return try await BoundedBody.with(request, budget: budget, limit: EdgeRoutes.maxSegmentBytes, metrics: metrics) { buffer in
                try await deliver(Array(buffer: buffer), manifest: manifest, seq: seq, durationMs: durationMs, sessions: sessions,
                                  scratch: outputDirectory)
            }
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

    /// A pushed body whose headers passed: checked as video, then sent through its stream and answered.
    static func deliver(_ body: [UInt8], manifest: String, seq: Int64, durationMs: Int32, sessions: StreamSessions,
                        scratch: String) async throws -> Response {
        guard !body.isEmpty else { return text(.badRequest, "empty segment") }
        if let refusal = checkMedia(body, declaredMs: durationMs, scratch: scratch) {
            return text(.unprocessableContent, refusal)
        }
        switch try await sessions.handle(manifest: manifest, segment: BroadcastSegment(seq: seq, bytes: body, durationMs: durationMs)) {
        case .sent(let outcome):
            guard let by = outcome.deliveredBy else {
                let reasons = outcome.failures.map { "\($0.url): \($0.reason)" }.joined(separator: "\n")
                return text(.serviceUnavailable, "segment \(seq) lost after \(outcome.failures.count) attempts\n\(reasons)")
            }
            return text(.ok, "segment \(seq) delivered by \(by) in \(outcome.latencyMs) ms")
        case .duplicate(let delivery):
            return text(.ok, "segment \(seq) delivered by \(delivery.by) in \(delivery.latencyMs) ms (already; not sent again)")
        case .tooLate(let newest):
            return text(.conflict, "segment \(seq) is older than segment \(newest), already live: too late for the playlist")
        case .tooManyStreams(let limit):
            return Response(status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8", .retryAfter: "10"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "\(limit) streams are live and busy; try again\n")))
        }
    }

    /// Longest manifest name accepted (it names a directory).
    public static let maxManifestLength = 128

    /// Why a pushed body is refused before anything is paid for it: not video libavformat can read, or a length
    /// far from the one declared (more than twice it and over 2 s longer). Nil when it may be sent.
    static func checkMedia(_ body: [UInt8], declaredMs: Int32, scratch: String) -> String? {
        let path = (scratch as NSString).appendingPathComponent(".probe-\(UUID().uuidString).ts")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            try Data(body).write(to: URL(fileURLWithPath: path))
        } catch {
            return nil  // the scratch space is not writable: let the orchestrators judge the bytes
        }
        let info: MediaProbe.Info
        do { info = try MediaProbe.probe(path: path) } catch {
            return "not a video segment: \(error)".replacingOccurrences(of: path, with: "the body")
        }
        let declared = Double(declaredMs) / 1_000
        if let seconds = info.durationSeconds, seconds > max(declared * 2, declared + 2) {
            return String(format: "the segment lasts %.1f s, but Content-Duration says %.1f s", seconds, declared)
        }
        return nil
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
