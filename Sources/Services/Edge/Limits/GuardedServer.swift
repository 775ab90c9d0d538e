public import Hummingbird
public import HummingbirdCore
import HummingbirdHTTP2
public import Logging
public import NIOCore
public import NIOSSL

/// A Hummingbird child channel with a `ConnectionGateHandler` installed first, so every connection is counted and
/// timed before TLS or HTTP sees a byte.
struct GuardedChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let gate: ConnectionGate

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionGateHandler(gate: gate), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async { await inner.handle(value: value, logger: logger) }
}

extension HTTPServerBuilder {
    /// HTTP/1.1, or with `tls` ALPN h2 + http/1.1, under `gate`'s limits: connections capped and given the request
    /// timeout by the gate, idle ones closed after the idle timeout (between requests on HTTP/1.1, without open
    /// streams on HTTP/2).
    public static func guarded(tls: TLSConfiguration?, gate: ConnectionGate) -> HTTPServerBuilder {
        let idle = gate.limits.idleTimeout
        let stream = HTTP1Channel.Configuration(additionalChannelHandlers: [RequestSeenHandler()], idleTimeout: TimeAmount(idle))
        return HTTPServerBuilder { responder in
            if let tls {
                let http2 = HTTP2ChannelConfiguration(idleTimeout: idle, streamConfiguration: stream)
                return GuardedChildChannel(inner: try HTTP2UpgradeChannel(tlsConfiguration: tls, configuration: http2, responder: responder),
                                           gate: gate)
            }
            return GuardedChildChannel(inner: HTTP1Channel(responder: responder, configuration: stream), gate: gate)
        }
    }
}
