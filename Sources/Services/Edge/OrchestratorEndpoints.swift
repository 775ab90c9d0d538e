import Foundation
public import Orchestrator
public import Payments
import Synchronization

/// An orchestrator's endpoints in one process. Over TLS, go-livepeer's one port: the edge serves gRPC
/// (GetOrchestrator, and RegisterTranscoder when a hub is given) and every HTTP route, so `address` and the
/// transcoder URL in OrchestratorInfo name the same port. In plaintext (tests), gRPC has a port of its own.
public final class OrchestratorEndpoints: Sendable {
    public let edge: EdgeServer
    /// The gRPC-only port, in plaintext only.
    public let rpc: RPCServer?
    private let urls = Mutex((address: "", edgeURL: ""))
    /// The address broadcasters are given ("" until `start` returns).
    public var address: String { urls.withLock { $0.address } }
    /// The edge's base URL ("" until `start` has started the edge).
    public var edgeURL: String { urls.withLock { $0.edgeURL } }

    /// `tls` true makes a self-signed identity for 127.0.0.1 (go-livepeer's default); false serves plaintext.
    public init(node: OrchestratorNode, host: String = "127.0.0.1", tls: Bool, hub: RemoteTranscoderHub? = nil,
                context: @escaping @Sendable () -> ValidationContext) throws {
        let identity = tls ? try TLSIdentity.selfSigned(hosts: [host]) : nil
        edge = EdgeServer(node: node, host: host, context: context, tls: identity, hub: hub)
        rpc = tls ? nil : RPCServer(source: OrchestratorInfoSource(node: node, context: context, now: EdgeServer.wallClock), hub: hub,
                                    host: host, tls: nil)
    }

    /// Starts the edge (and the plaintext gRPC port); returns the address broadcasters are given.
    @discardableResult
    public func start() async throws -> String {
        let edgeURL = try await edge.start()
        urls.withLock { $0.edgeURL = edgeURL }
        let address: String
        if let rpc {
            address = "\(try await rpc.start())"
        } else {
            address = edgeURL.replacingOccurrences(of: "https://", with: "")
        }
        urls.withLock { $0.address = address }
        return address
    }

    /// Stops both (gracefully: requests in flight finish).
    public func stop() {
        rpc?.stop()
        edge.stop()
    }
}
