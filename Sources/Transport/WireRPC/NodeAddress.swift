/// Where a node's gRPC service listens, as operators write it: `host:port` or `https://host:port` (TLS, the
/// default, as go-livepeer's orchestrator URIs) or `http://host:port` (plaintext, for local tests).
public struct NodeAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let tls: Bool

    public init(host: String, port: Int, tls: Bool = true) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Parses `text`; throws `NodeTransportError.badAddress` when it has no host or no valid port.
    public init(_ text: String) throws(NodeTransportError) {
        var rest = Substring(text)
        var tls = true
        if rest.hasPrefix("https://") {
            rest = rest.dropFirst("https://".count)
        } else if rest.hasPrefix("http://") {
            rest = rest.dropFirst("http://".count)
            tls = false
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(port),
              colon > rest.startIndex else { throw .badAddress(text) }
        self.init(host: String(rest[..<colon]), port: port, tls: tls)
    }

    /// `https://host:port` or `http://host:port`.
    public var description: String { "\(tls ? "https" : "http")://\(host):\(port)" }
}

/// Why a call to another node did not complete: the address, the connection, the peer's gRPC status or HTTP
/// failure, each with the reason.
public enum NodeTransportError: Error, Equatable, Sendable, CustomStringConvertible {
    case badAddress(String)
    case rpc(code: String, message: String)
    case http(String)

    public var description: String {
        switch self {
        case .badAddress(let text): "\"\(text)\" is not host:port, https://host:port or http://host:port"
        case .rpc(let code, let message): "gRPC \(code): \(message)"
        case .http(let why): "HTTP request failed: \(why)"
        }
    }
}
