import Foundation
import Wire
import Synchronization

/// The OrchestratorInfo each orchestrator last offered (ticket params, price, auth token), reused for later
/// segments as go-livepeer's broadcaster reuses a session's params: fetched again when older than `maxAge`,
/// when its auth token is about to expire, once `maxTickets` tickets were paid under its params (a recipient
/// accepts a bounded number of nonces per recipientRand: 600 in go-livepeer), or after any failure there.
final class OfferCache: Sendable {
    private let offers = Mutex<[String: (info: Net_OrchestratorInfo, fetched: Date, tickets: Int)]>([:])
    let maxAge: TimeInterval
    let maxTickets: Int

    init(maxAge: TimeInterval = 20, maxTickets: Int = 300) {
        self.maxAge = maxAge
        self.maxTickets = maxTickets
    }

    /// The offer from `url` if it is still fresh at `now`.
    func offer(from url: String, now: Date = Date()) -> Net_OrchestratorInfo? {
        offers.withLock { offers in
            guard let entry = offers[url], now.timeIntervalSince(entry.fetched) < maxAge, entry.tickets < maxTickets,
                  entry.info.authToken.expiration > Int64(now.timeIntervalSince1970) + 10 else { return nil }
            return entry.info
        }
    }

    func store(_ info: Net_OrchestratorInfo, from url: String, now: Date = Date()) { offers.withLock { $0[url] = (info, now, 0) } }

    /// Counts tickets paid under the offer from `url`.
    func spend(_ tickets: Int, from url: String) { offers.withLock { $0[url]?.tickets += tickets } }

    func drop(_ url: String) { offers.withLock { $0[url] = nil } }
}
