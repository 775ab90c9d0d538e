import Foundation

/// Which ports an orchestrator listens on. Over TLS, go-livepeer's one port: `--port` serves gRPC and every
/// HTTP route (HTTP/2 and HTTP/1.1), and `--grpc-port` may add a gRPC-only port beside it. In plaintext
/// (`--no-tls`, local tests only) HTTP/2 gRPC would need prior knowledge, so gRPC keeps `--port` and the HTTP
/// edge takes `--http-port` (default `--port` + 1).
struct EdgePorts {
    let edge: Int
    let rpc: Int?

    init(tls: Bool, port: Int, httpPort: Int?, grpcPort: Int?) throws {
        if tls {
            guard httpPort == nil else {
                throw CLIError("--http-port is for --no-tls: over TLS gRPC and HTTP share --port (add --grpc-port for a gRPC-only port)")
            }
            edge = port
            rpc = grpcPort
        } else {
            guard grpcPort == nil else { throw CLIError("--grpc-port is for TLS; with --no-tls gRPC is served on --port") }
            edge = httpPort ?? (port == 0 ? 0 : port + 1)
            rpc = port
        }
    }

    /// Where the node serves, for its start-up line: the one port (and the extra gRPC port) over TLS, or the
    /// gRPC address and the HTTP edge in plaintext.
    func describe(edgeURL: String, grpc: String?, tls: Bool) -> String {
        guard tls else { return "\(grpc ?? edgeURL) (HTTP edge \(edgeURL), no TLS" }
        return "\(edgeURL.replacingOccurrences(of: "https://", with: "")) (gRPC and HTTPS on one port, HTTP edge \(edgeURL)"
            + (grpc.map { ", gRPC also at \($0)" } ?? "")
    }
}
