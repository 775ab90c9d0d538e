import NIOCore

/// The first handler of every accepted connection: admits it through the listener's `ConnectionGate` (closing it at
/// once when refused), closes it when no request head arrives within the request timeout, and tells the gate when it
/// closes. `RequestSeenHandler` (after the HTTP decoder) or the gRPC transport's stream callback report request heads.
final class ConnectionGateHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    /// The user event that reports a request head on this connection (or on one of its HTTP/2 streams).
    struct RequestStarted: Sendable {}

    private let gate: ConnectionGate
    private var admitted = false
    private var requested = false
    private var deadline: Scheduled<Void>?

    init(gate: ConnectionGate) { self.gate = gate }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive, !admit(context) { context.close(promise: nil) }
    }

    func channelActive(context: ChannelHandlerContext) {
        let admitted = admit(context)
        // The rest of the pipeline sees the connection open before it sees it closed.
        context.fireChannelActive()
        if !admitted { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if admitted { gate.closed(context.channel) }
        admitted = false
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RequestStarted else { return context.fireUserInboundEventTriggered(event) }
        guard !requested else { return }
        requested = true
        deadline?.cancel()
        deadline = nil
        gate.requestStarted(context.channel)
    }

    /// Counts the connection in the gate and starts its request timer; false when the gate refuses it.
    private func admit(_ context: ChannelHandlerContext) -> Bool {
        guard !admitted else { return true }
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        if case .refused = gate.admit(context.channel, address: address) { return false }
        admitted = true
        let timeout = gate.limits.requestTimeout
        let gate = gate
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) { [weak self] in
            guard let self, !self.requested else { return }
            gate.count(.requestTimeout(timeout))
            context.close(promise: nil)
        }
        return true
    }
}

/// Reports each connection's (or HTTP/2 stream's) first request head to its `ConnectionGateHandler`; added after
/// the HTTP decoder.
final class RequestSeenHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private var seen = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !seen {
            seen = true
            ConnectionGateHandler.reportRequest(on: context.channel)
        }
        context.fireChannelRead(data)
    }
}

extension ConnectionGateHandler {
    /// Tells the connection `channel` belongs to that a request started: `channel` itself when the gate's handler is
    /// in its pipeline, else its parent (an HTTP/2 stream's connection; a connection's parent is the listener). Called
    /// on `channel`'s event loop.
    static func reportRequest(on channel: any Channel) {
        let own = (try? channel.pipeline.syncOperations.handler(type: ConnectionGateHandler.self)) != nil
        (own ? channel : channel.parent ?? channel).pipeline.fireUserInboundEventTriggered(RequestStarted())
    }
}
