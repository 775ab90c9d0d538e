public import GRPCCore
import Synchronization

/// A gRPC server transport whose streams arrive as HTTP/2 requests on the edge's own port (`GRPCRoutes`), so one
/// TLS port serves gRPC and every HTTP route, as go-livepeer's orchestrator does. The `GRPCServer` running on it
/// does the RPC work (routing, codecs, deadlines, status); this type only hands streams over and cancels them
/// at shutdown.
public final class EdgeRPCTransport: ServerTransport, Sendable {
    public typealias Bytes = [UInt8]

    private struct Incoming: Sendable {
        let stream: RPCStream<Inbound, Outbound>
        let peer: String
    }

    private struct State {
        var nextID: UInt64 = 0
        var handles: [UInt64: ServerContext.RPCCancellationHandle] = [:]
        var isShutdown = false
    }

    private let incoming: AsyncStream<Incoming>
    private let continuation: AsyncStream<Incoming>.Continuation
    private let state = Mutex(State())

    public init() { (incoming, continuation) = AsyncStream.makeStream() }

    /// Hands one RPC to the server; throws `unavailable` once the transport is shutting down.
    func accept(_ stream: RPCStream<Inbound, Outbound>, peer: String) throws(RPCError) {
        if case .terminated = continuation.yield(Incoming(stream: stream, peer: peer)) {
            throw RPCError(code: .unavailable, message: "the orchestrator is shutting down")
        }
    }

    public func listen(streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void) async throws {
        await withDiscardingTaskGroup { group in
            for await next in incoming {
                group.addTask {
                    await withServerContextRPCCancellationHandle { handle in
                        let (id, stopping) = self.state.withLock { state -> (UInt64, Bool) in
                            state.nextID &+= 1
                            state.handles[state.nextID] = handle
                            return (state.nextID, state.isShutdown)
                        }
                        defer { _ = self.state.withLock { $0.handles.removeValue(forKey: id) } }
                        if stopping { handle.cancel() }
                        let context = ServerContext(descriptor: next.stream.descriptor, remotePeer: next.peer, localPeer: "edge",
                                                    cancellation: handle)
                        await streamHandler(next.stream, context)
                    }
                }
            }
        }
    }

    /// No new RPCs; the ones running are told to stop (long streams, such as a remote transcoder's, end).
    public func beginGracefulShutdown() {
        continuation.finish()
        let handles = state.withLock { state -> [ServerContext.RPCCancellationHandle] in
            state.isShutdown = true
            defer { state.handles.removeAll() }
            return Array(state.handles.values)
        }
        for handle in handles { handle.cancel() }
    }
}
