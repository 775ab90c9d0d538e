import Foundation
public import Orchestrator
public import Payments

/// Both of an orchestrator's endpoints in one process: gRPC (GetOrchestrator, and RegisterTranscoder when a
/// hub is given) and the HTTP(S) edge, sharing one TLS identity. Broadcasters dial `address`; the edge's URL
/// travels in OrchestratorInfo.transcoder.
public final class OrchestratorEndpoints: @unchecked Sendable {
    // @unchecked: `address` and `edgeURL` are set once by `start`, before anything reads them.
    public let edge: EdgeServer
    public let rpc: RPCServer
    public private(set) var address = ""
    public private(set) var edgeURL = ""

    /// `tls` true makes a self-signed identity for 127.0.0.1 (go-livepeer's default); false serves plaintext.
    public init(node: OrchestratorNode, host: String = "127.0.0.1", tls: Bool, hub: RemoteTranscoderHub? = nil,
                context: @escaping @Sendable () -> ValidationContext) throws {
        let identity = tls ? try TLSIdentity.selfSigned(hosts: [host]) : nil
        edge = EdgeServer(node: node, host: host, context: context, tls: identity, hub: hub)
        rpc = RPCServer(source: OrchestratorInfoSource(node: node, context: context, now: EdgeServer.wallClock), hub: hub, host: host,
                        tls: identity)
    }

    /// Starts the edge, then gRPC; returns the gRPC address (what broadcasters are given).
    @discardableResult
    public func start() async throws -> String {
        edgeURL = try await edge.start()
        address = "\(try await rpc.start())"
        return address
    }

    /// Stops both (gracefully: requests in flight finish).
    public func stop() {
        rpc.stop()
        edge.stop()
    }
}
