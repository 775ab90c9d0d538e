public import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// A reply from an orchestrator's HTTP edge: status, headers and body.
public struct EdgeReply: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]
}

/// HTTP(S) requests to orchestrators' edges (POST /segment, renditions, transcode sources and results). TLS
/// certificates are not verified, for the same reason as `NodeRPC`: self-signed edges, signed results.
/// HTTP/1.1 by default: on these machines swift-nio-http2 costs about 5 ms more CPU per segment than HTTP/1.1
/// for the same exchange (docs/PERFORMANCE.md). `usesHTTP2` switches the process to HTTP/2 whenever an edge's ALPN
/// offers it, as go-livepeer's client does (`streamflow broadcast --http2`).
public enum EdgeHTTP {
    /// Largest body read from an edge (a 2 s 1080p rendition is a few MB).
    public static let maxBodyBytes = 64 << 20

    private static let http2Wanted = Atomic<Bool>(false)

    /// Whether requests negotiate HTTP/2 (set at start by the command).
    public static var usesHTTP2: Bool {
        get { http2Wanted.load(ordering: .relaxed) }
        set { http2Wanted.store(newValue, ordering: .relaxed) }
    }

    /// The client for the version in force: one per version for the process, never shut down (as
    /// `HTTPClient.shared`), with certificate checks off.
    public static var client: HTTPClient { usesHTTP2 ? http2Client : http1Client }

    private static let http1Client = makeClient(http2: false)
    private static let http2Client = makeClient(http2: true)

    private static func makeClient(http2: Bool) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.httpVersion = http2 ? .automatic : .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// GET `url`.
    public static func get(_ url: String, timeout: Duration) async throws(NodeTransportError) -> EdgeReply {
        try await execute(HTTPClientRequest(url: url), timeout: timeout)
    }

    /// POST `body` to `url` with `headers`.
    public static func post(_ url: String, headers: [(String, String)], body: [UInt8],
                            timeout: Duration) async throws(NodeTransportError) -> EdgeReply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await execute(request, timeout: timeout)
    }

    private static func execute(_ request: HTTPClientRequest, timeout: Duration) async throws(NodeTransportError) -> EdgeReply {
        do {
            let seconds = timeout.components.seconds, nanos = timeout.components.attoseconds / 1_000_000_000
            let response = try await client.execute(request, timeout: .seconds(seconds) + .nanoseconds(nanos))
            let body = try await response.body.collect(upTo: maxBodyBytes)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            return EdgeReply(status: Int(response.status.code), headers: headers, body: Array(buffer: body))
        } catch {
            throw .http("\(request.method) \(request.url): \(error)")
        }
    }
}
