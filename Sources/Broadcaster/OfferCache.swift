import Foundation
import Wire

/// The OrchestratorInfo each orchestrator last offered (ticket params, price, auth token), reused for later
/// segments as go-livepeer's broadcaster reuses a session's params: fetched again when older than `maxAge`,
/// when its auth token is about to expire, or after any failure there.
final class OfferCache: @unchecked Sendable {
    // @unchecked: `offers` is guarded by `lock`.
    private let lock = NSLock()
    private var offers: [String: (info: Net_OrchestratorInfo, fetched: Date)] = [:]
    let maxAge: TimeInterval

    init(maxAge: TimeInterval = 20) { self.maxAge = maxAge }

    /// The offer from `url` if it is still fresh at `now`.
    func offer(from url: String, now: Date = Date()) -> Net_OrchestratorInfo? {
        lock.withLock {
            guard let entry = offers[url], now.timeIntervalSince(entry.fetched) < maxAge,
                  entry.info.authToken.expiration > Int64(now.timeIntervalSince1970) + 10 else { return nil }
            return entry.info
        }
    }

    func store(_ info: Net_OrchestratorInfo, from url: String, now: Date = Date()) { lock.withLock { offers[url] = (info, now) } }

    func drop(_ url: String) { lock.withLock { offers[url] = nil } }
}
