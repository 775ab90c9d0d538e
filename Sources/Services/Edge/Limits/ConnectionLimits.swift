import Foundation

/// Limits on one listener's connections: how many at once, how many from one client address, how long a new
/// connection has to finish its TLS handshake and send its first request head, and how long a connection may stay idle.
public struct ConnectionLimits: Sendable, Equatable {
    /// Open connections on the listener at most (lowered to fit the process's file-descriptor limit).
    public var maxConnections: Int
    /// Open connections from one client IP address at most.
    public var maxPerAddress: Int
    /// From accept to the first complete request head (the TLS handshake included).
    public var requestTimeout: Duration
    /// Without a request in progress, after which the connection is closed.
    public var idleTimeout: Duration

    /// 1,024 per listener and 256 per address (a broadcaster with many streams uses a few HTTP connections and one
    /// short gRPC connection per negotiation in flight), 10 s to the first request, 60 s idle.
    public static let standard = ConnectionLimits(maxConnections: 1_024, maxPerAddress: 256, requestTimeout: .seconds(10),
                                                  idleTimeout: .seconds(60))

    public init(maxConnections: Int, maxPerAddress: Int, requestTimeout: Duration, idleTimeout: Duration) {
        self.maxConnections = max(1, maxConnections)
        self.maxPerAddress = max(1, min(maxPerAddress, maxConnections))
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
    }

    /// These limits with the listener cap lowered so that the connections of up to two full listeners fit under
    /// `descriptors` (the process's open-file limit) with 256 to spare, so a flood is refused by the cap, not by
    /// accept(2) failing for every client.
    public func fitted(toDescriptors descriptors: Int = ConnectionLimits.openFileLimit()) -> ConnectionLimits {
        var fitted = self
        fitted.maxConnections = max(16, min(maxConnections, (descriptors - 256) / 2))
        fitted.maxPerAddress = min(maxPerAddress, fitted.maxConnections)
        return fitted
    }

    /// The process's soft open-file limit (RLIMIT_NOFILE).
    public static func openFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        return Int(clamping: min(limit.rlim_cur, rlim_t(Int.max / 2)))  // RLIM_INFINITY is the largest value
    }

    /// Raises the soft open-file limit to the hard one (as Go's runtime does at start); returns the limit in force.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return openFileLimit()
    }
}

/// Why a connection was refused or closed by its listener's limits.
public enum ConnectionRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The listener holds its most connections and each of them has sent a request.
    case listenerFull(limit: Int)
    /// The client's address holds its most connections and each of them has sent a request.
    case addressFull(limit: Int)
    /// Closed to make room for a new connection: it had not sent a request yet and was the oldest such.
    case evicted
    /// No complete request head (or TLS handshake) within the request timeout.
    case requestTimeout(Duration)

    /// A short, stable token for metrics.
    public var reason: String {
        switch self {
        case .listenerFull: "listener-full"
        case .addressFull: "address-full"
        case .evicted: "evicted"
        case .requestTimeout: "request-timeout"
        }
    }

    public var description: String {
        switch self {
        case .listenerFull(let limit): "the listener holds its \(limit) connections, all serving requests"
        case .addressFull(let limit): "this address holds its \(limit) connections, all serving requests"
        case .evicted: "closed to make room: no request was sent on it yet"
        case .requestTimeout(let timeout): "no request within \(timeout)"
        }
    }
}
