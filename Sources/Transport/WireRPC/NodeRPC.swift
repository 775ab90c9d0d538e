public import GRPCCore
public import GRPCNIOTransportHTTP2

/// gRPC clients to other nodes over HTTP/2. With TLS the peer's certificate is not verified, as go-livepeer's
/// broadcaster and transcoders do (`InsecureSkipVerify`): orchestrators use self-signed certificates, and what
/// matters — ticket params, results — is authenticated by the orchestrator's Ethereum signature instead.
public enum NodeRPC {
    /// The HTTP/2 transport to `address` (plaintext when the address says http://).
    public static func transport(to address: NodeAddress) throws -> HTTP2ClientTransport.Posix {
        let security: HTTP2ClientTransport.Posix.TransportSecurity = address.tls
            ? .tls { $0.serverCertificateVerification = .noVerification }
            : .plaintext
        return try HTTP2ClientTransport.Posix(target: target(address), transportSecurity: security)
    }

    /// IP literals as IP targets (no TLS server name is sent for them: SNI cannot carry an IP), names through DNS.
    static func target(_ address: NodeAddress) -> any ResolvableTarget {
        let octets = address.host.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) { return .ipv4(host: address.host, port: address.port) }
        if address.host.contains(":") {
            return .ipv6(host: address.host.trimmingPrefix("[").split(separator: "]").first.map(String.init) ?? address.host,
                         port: address.port)
        }
        return .dns(host: address.host, port: address.port)
    }

    /// Runs `body` with a client connected to `address`, then closes the connection.
    public static func withClient<Result: Sendable>(
        to address: NodeAddress, _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        try await withGRPCClient(transport: try transport(to: address)) { client in try await body(client) }
    }

    /// A call's options with a deadline `timeout` from now, failing at once when the peer cannot be reached.
    public static func options(timeout: Duration) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        return options
    }

    /// An RPC failure as the transport error that names its status code and message.
    public static func failure(_ error: any Error) -> NodeTransportError {
        if let error = error as? RPCError { return .rpc(code: "\(error.code)", message: error.message) }
        if let error = error as? NodeTransportError { return error }
        return .rpc(code: "unavailable", message: "\(error)")
    }
}
