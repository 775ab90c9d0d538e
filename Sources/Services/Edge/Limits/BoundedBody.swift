public import Hummingbird
import HTTPTypes
public import Telemetry

/// A request body read into memory under a `BodyBudget`: the bytes, and the reservation that holds them until the
/// request is answered (keep it alive while the bytes are used).
public struct BoundedBody: Sendable {
    public let bytes: ByteBuffer
    public let reservation: BodyReservation

    /// Reads `request`'s body charging `budget`: a declared Content-Length over the limit is refused at once (413), one
    /// the budget cannot hold is refused at once (503), and a body without one is charged chunk by chunk as it arrives.
    public static func read(_ request: Request, budget: BodyBudget, limit: Int? = nil) async throws -> BoundedBody {
        let reservation = budget.reservation(limit: limit)
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }) {
            try reservation.grow(to: declared)
        }
        var buffer = ByteBuffer()
        if reservation.bytes > 0 { buffer.reserveCapacity(reservation.bytes) }
        for try await var chunk in request.body {
            try reservation.grow(to: buffer.readableBytes + chunk.readableBytes)
            buffer.writeBuffer(&chunk)
        }
        return BoundedBody(bytes: buffer, reservation: reservation)
    }
}

extension BodyRefusal {
    /// The refusal as an HTTP response: 413, or 503 with Retry-After; counted in `metrics`.
    func response(metrics: MetricsRegistry) -> Response {
        metrics.increment(.edgeRequestsRefused, labels: reason)
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if case .overBudget = self { headers[.retryAfter] = "\(BodyBudget.retryAfterSeconds)" }
        return Response(status: HTTPResponse.Status(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: description + "\n")))
    }
}

extension BoundedBody {
    /// Runs `handle` with the body read under `budget`, or answers the refusal; the reservation is held until `handle`
    /// returns.
    public static func with(_ request: Request, budget: BodyBudget, limit: Int? = nil, metrics: MetricsRegistry,
                            _ handle: (ByteBuffer) async throws -> Response) async throws -> Response {
        let body: BoundedBody
        do { body = try await read(request, budget: budget, limit: limit) } catch let refusal as BodyRefusal {
            return refusal.response(metrics: metrics)
        }
        defer { body.reservation.release() }
        return try await handle(body.bytes)
    }
}
