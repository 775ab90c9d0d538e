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
        let cancellation: RPCCancellation
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

    /// Hands one RPC to the server; throws `unavailable` once the transport is shutting down. Firing
    /// `cancellation` (its HTTP stream went away) cancels the RPC, as the NIO transport does on a reset stream.
    func accept(_ stream: RPCStream<Inbound, Outbound>, peer: String, cancellation: RPCCancellation) throws(RPCError) {
        if case .terminated = continuation.yield(Incoming(stream: stream, peer: peer, cancellation: cancellation)) {
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
                        next.cancellation.attach(handle)
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

/// Cancels one RPC when the HTTP stream carrying it closes, whichever of the two happens first.
final class RPCCancellation: Sendable {
    private struct State {
        var fired = false
        var handle: ServerContext.RPCCancellationHandle?
    }

    private let state = Mutex(State())

    /// The RPC's handle, once the server runs it; cancelled at once when the stream already closed.
    func attach(_ handle: ServerContext.RPCCancellationHandle) {
        let fired = state.withLock { state in
            state.handle = handle
            return state.fired
        }
        if fired { handle.cancel() }
    }

    /// The HTTP stream closed.
    func fire() {
        let handle = state.withLock { state in
            state.fired = true
            return state.handle
        }
        handle?.cancel()
    }
}
