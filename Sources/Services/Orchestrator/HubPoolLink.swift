import Foundation
import Synchronization

/// Feeds a remote-transcoder hub's registrations and losses into the orchestrator's pool, so remote
/// transcoders are scheduled like local ones (and their joining and leaving are events in the log).
public final class HubPoolLink: Sendable {
    public let pool: TranscoderPool
    /// Held weakly (the hub holds this link through its `onEvent`); set right after the hub is made, before any
    /// transcoder can register.
    private let link = Mutex(WeakHub())

    /// The hub whose transcoders this link adds to the pool (weak).
    public var hub: RemoteTranscoderHub? {
        get { link.withLock { $0.hub } }
        set { link.withLock { $0.hub = newValue } }
    }

    public init(pool: TranscoderPool) { self.pool = pool }

    /// The hub's `onEvent` callback.
    public func handle(_ event: RemoteTranscoderEvent) {
        switch event {
        case .registered(let id, _):
            if let worker = hub?.transcoders.first(where: { $0.id == id }) { pool.add(worker) }
        case .lost(let id, let reason):
            pool.remove(id: id, reason: ["disconnected", "timeout", "shutdown", "error"].contains(reason) ? reason : "disconnected")
        }
    }
}

/// A weak reference to a hub, the value of `HubPoolLink`'s mutex.
private struct WeakHub {
    weak var hub: RemoteTranscoderHub?
}
