import Foundation

/// Feeds a remote-transcoder hub's registrations and losses into the orchestrator's pool, so remote
/// transcoders are scheduled like local ones (and their joining and leaving are events in the log).
public final class HubPoolLink: @unchecked Sendable {
    // @unchecked: `hub` is set once, right after the hub is made, before any transcoder can register.
    public let pool: TranscoderPool
    public weak var hub: RemoteTranscoderHub?

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
