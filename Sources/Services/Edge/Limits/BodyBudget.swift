import Synchronization

/// One node-wide budget of request-body bytes held in memory at once, shared by every HTTP server of a process:
/// a request reserves what it will hold before (or as) it is read and gives it back when it ends.
public final class BodyBudget: Sendable {
    /// Default bytes in flight for the whole node.
    public static let defaultLimit = 512 << 20
    /// Default largest body any one request may send (each route has its own cap within it: 64 MiB for a segment,
    /// 256 MiB for a transcoder's renditions).
    public static let defaultRequestLimit = 256 << 20
    /// Seconds a refused client is told to wait (Retry-After).
    public static let retryAfterSeconds = 2

    /// Most bytes held at once by all requests together.
    public let limit: Int
    /// Most bytes one request may send.
    public let requestLimit: Int
    private let held = Mutex(0)

    public init(limit: Int = BodyBudget.defaultLimit, requestLimit: Int = BodyBudget.defaultRequestLimit) {
        self.limit = max(1, limit)
        self.requestLimit = max(1, min(requestLimit, limit))
    }

    /// Bytes reserved now.
    public var inFlight: Int { held.withLock { $0 } }

    /// An empty reservation for one request, charged as its body arrives and released when it is dropped.
    public func reservation(limit: Int? = nil) -> BodyReservation {
        BodyReservation(budget: self, requestLimit: min(limit ?? requestLimit, requestLimit))
    }

    /// Takes `bytes` more from the budget, or refuses without taking anything.
    func take(_ bytes: Int) throws(BodyRefusal) {
        let taken = held.withLock { held in
            guard held + bytes <= limit else { return false }
            held += bytes
            return true
        }
        guard taken else { throw .overBudget(limit: limit) }
    }

    func give(_ bytes: Int) { held.withLock { $0 -= bytes } }
}

/// What one request holds of a `BodyBudget`; grows as its body arrives, and gives everything back when released or
/// dropped (a handler that throws, a client that goes away).
public final class BodyReservation: Sendable {
    private let budget: BodyBudget
    /// Most bytes this request may send.
    public let requestLimit: Int
    private let held = Mutex(0)

    init(budget: BodyBudget, requestLimit: Int) {
        self.budget = budget
        self.requestLimit = requestLimit
    }

    deinit { release() }

    /// Bytes this request holds.
    public var bytes: Int { held.withLock { $0 } }

    /// Makes the reservation at least `total` bytes: refused over the request's limit (413) or over the node's
    /// budget (503), leaving what was held unchanged.
    public func grow(to total: Int) throws(BodyRefusal) {
        guard total <= requestLimit else { throw .tooLarge(limit: requestLimit) }
        // Lock order: a reservation, then its budget (never the other way).
        let refusal = held.withLock { held -> BodyRefusal? in
            guard total > held else { return nil }
            do throws(BodyRefusal) { try budget.take(total - held) } catch { return error }
            held = total
            return nil
        }
        if let refusal { throw refusal }
    }

    /// Gives everything back (also done when the reservation is dropped).
    public func release() {
        let bytes = held.withLock { held in
            defer { held = 0 }
            return held
        }
        if bytes > 0 { budget.give(bytes) }
    }
}

/// Why a request body was refused before it was read in full.
public enum BodyRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The node already holds its budget of request bytes: 503 with Retry-After.
    case overBudget(limit: Int)
    /// The body is over one request's limit: 413.
    case tooLarge(limit: Int)

    /// The HTTP status answered.
    public var status: Int {
        switch self {
        case .overBudget: 503
        case .tooLarge: 413
        }
    }

    /// A short, stable token for metrics.
    public var reason: String {
        switch self {
        case .overBudget: "over-body-budget"
        case .tooLarge: "body-too-large"
        }
    }

    public var description: String {
        switch self {
        case .overBudget(let limit):
            "the node holds its limit of \(limit) bytes of request bodies in flight; retry in \(BodyBudget.retryAfterSeconds) s"
        case .tooLarge(let limit): "the request body is over the \(limit)-byte limit"
        }
    }
}
