public import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL

/// A reply from an orchestrator's HTTP edge: status, headers and body.
public struct EdgeReply: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]
}

/// HTTP(S) requests to orchestrators' edges (POST /segment, renditions, transcode sources and results). TLS
/// certificates are not verified, for the same reason as `NodeRPC`: self-signed edges, signed results.
public enum EdgeHTTP {
    /// Largest body read from an edge (a 2 s 1080p rendition is a few MB).
    public static let maxBodyBytes = 64 << 20

    /// One client for the process, never shut down (as `HTTPClient.shared`), with certificate checks off.
    public static let client: HTTPClient = {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
    }()

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
