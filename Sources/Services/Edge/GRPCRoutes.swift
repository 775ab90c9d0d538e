import Foundation
public import GRPCCore
import HTTPTypes
public import Hummingbird
public import NIOCore
import Synchronization

/// gRPC on the edge's port: each method of the node's services is a POST route; a request whose content type is
/// `application/grpc` becomes an RPC stream for `EdgeRPCTransport` (length-prefixed messages in, headers,
/// length-prefixed messages and `grpc-status` trailers out), as go-livepeer routes HTTP/2 gRPC on its one port.
public enum GRPCRoutes {
    /// Largest request message accepted (GetOrchestrator and RegisterTranscoder requests are a few hundred bytes).
    public static let maxMessageBytes = 1 << 20
    /// Most request bytes one RPC may send (every method here takes one message).
    public static let maxRequestBytes = 4 << 20

    public static func add(to router: Router<EdgeRequestContext>, methods: [MethodDescriptor], transport: EdgeRPCTransport) {
        for method in methods {
            router.post(RouterPath("\(method.service.fullyQualifiedService)/\(method.method)")) { request, context -> Response in
                let cancellation = RPCCancellation()
                context.channel.closeFuture.whenComplete { _ in cancellation.fire() }
                let peer = context.channel.remoteAddress.map { "\($0)" } ?? "unknown"
                return try await serve(request, method: method, peer: peer, transport: transport, cancellation: cancellation)
            }
        }
    }

    static func serve(_ request: Request, method: MethodDescriptor, peer: String, transport: EdgeRPCTransport,
                      cancellation: RPCCancellation) async throws -> Response {
        guard request.headers[.contentType]?.hasPrefix("application/grpc") == true else {
            return Response(status: .unsupportedMediaType, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "gRPC methods need Content-Type application/grpc\n")))
        }
        if let encoding = request.headers[HTTPField.Name("grpc-encoding")!], encoding != "identity" {
            return finished(Status(code: .unimplemented, message: "compression \(encoding) is not supported"))
        }
        let (inbound, inboundContinuation) = AsyncThrowingStream<RPCRequestPart<[UInt8]>, any Error>.makeStream()
        let parts = ResponseParts()
        inboundContinuation.yield(.metadata(metadata(from: request.headers)))
        let body = request.body
        let reader = Task {
            var deframer = GRPCDeframer(limit: maxMessageBytes, total: maxRequestBytes)
            do {
                for try await chunk in body {
                    for message in try deframer.append(chunk) { inboundContinuation.yield(.message(message)) }
                }
                try deframer.end()
                inboundContinuation.finish()
            } catch {
                inboundContinuation.finish(throwing: error)
            }
        }
        let stream = RPCStream(descriptor: method, inbound: RPCAsyncSequence(wrapping: inbound),
                               outbound: RPCWriter.Closable(wrapping: parts))
        do { try transport.accept(stream, peer: peer, cancellation: cancellation) } catch {
            reader.cancel()
            return finished(Status(code: .unavailable, message: error.message))
        }
        var headers: HTTPFields = [.contentType: "application/grpc"]
        switch await parts.head() {
        case .metadata(let metadata)?:
            for (key, value) in metadata { if let name = HTTPField.Name(key) { headers.append(HTTPField(name: name, value: value.text)) } }
        case .status(let status, let trailers)?:
            reader.cancel()
            return finished(status, trailers: trailers)
        case .message?, nil:
            reader.cancel()
            return finished(Status(code: .internalError, message: "the RPC ended without a reply"))
        }
        let rest = parts.rest
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { reader.cancel() }
            for await part in rest {
                switch part {
                case .message(let bytes): try await writer.write(frame(bytes))
                case .status(let status, let trailers):
                    try await writer.finish(trailerFields(status, trailers))
                    return
                case .metadata: continue
                }
            }
            try await writer.finish(trailerFields(Status(code: .internalError, message: "the RPC ended without a status"), [:]))
        })
    }

    /// A response that is only a status: headers, no messages, the status in the trailers.
    static func finished(_ status: Status, trailers: Metadata = [:]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/grpc"], body: ResponseBody { writer in
            try await writer.finish(trailerFields(status, trailers))
        })
    }

    static func trailerFields(_ status: Status, _ trailers: Metadata) -> HTTPFields {
        var fields = HTTPFields()
        fields.append(HTTPField(name: HTTPField.Name("grpc-status")!, value: "\(status.code.rawValue)"))
        if !status.message.isEmpty {
            fields.append(HTTPField(name: HTTPField.Name("grpc-message")!, value: percentEncoded(status.message)))
        }
        for (key, value) in trailers { if let name = HTTPField.Name(key) { fields.append(HTTPField(name: name, value: value.text)) } }
        return fields
    }

    /// One gRPC message on the wire: uncompressed flag, 4-byte big-endian length, the bytes.
    static func frame(_ bytes: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(5 + bytes.count)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        return buffer
    }

    /// The request's custom headers as gRPC metadata (pseudo-headers and transport headers left out).
    static func metadata(from headers: HTTPFields) -> Metadata {
        var metadata = Metadata()
        for field in headers {
            let name = field.name.canonicalName
            if name == "content-type" || name == "te" || name == "user-agent" || name == "grpc-encoding"
                || name == "grpc-accept-encoding" { continue }
            metadata.addString(field.value, forKey: name)
        }
        return metadata
    }

    /// grpc-message is percent-encoded (gRPC over HTTP/2, "Responses").
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte >= 0x20 && byte <= 0x7e && byte != UInt8(ascii: "%") { out.unicodeScalars.append(Unicode.Scalar(byte)) } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

/// Reads gRPC's length-prefixed messages out of a request body's chunks, refusing any over `limit` bytes, a body
/// over `total` bytes, and compressed messages (no `grpc-encoding` is negotiated).
struct GRPCDeframer {
    let limit: Int
    let total: Int
    private var received = 0
    private var pending = ByteBuffer()

    init(limit: Int, total: Int = .max) {
        self.limit = limit
        self.total = total
    }

    mutating func append(_ chunk: ByteBuffer) throws(RPCError) -> [[UInt8]] {
        var chunk = chunk
        received += chunk.readableBytes
        guard received <= total else {
            throw RPCError(code: .resourceExhausted, message: "the request is over the \(total)-byte limit")
        }
        pending.writeBuffer(&chunk)
        var messages: [[UInt8]] = []
        while pending.readableBytes >= 5 {
            guard let flag = pending.getInteger(at: pending.readerIndex, as: UInt8.self),
                  let length = pending.getInteger(at: pending.readerIndex + 1, as: UInt32.self) else { break }
            guard flag == 0 else { throw RPCError(code: .unimplemented, message: "compressed messages are not supported") }
            guard Int(length) <= limit else {
                throw RPCError(code: .resourceExhausted, message: "a message of \(length) bytes is over the \(limit)-byte limit")
            }
            guard pending.readableBytes >= 5 + Int(length) else { break }
            pending.moveReaderIndex(forwardBy: 5)
            messages.append(pending.readBytes(length: Int(length)) ?? [])
        }
        pending.discardReadBytes()
        return messages
    }

    /// The body ended: a partial message left over is an error.
    func end() throws(RPCError) {
        guard pending.readableBytes == 0 else {
            throw RPCError(code: .internalError, message: "the request ended inside a message (\(pending.readableBytes) bytes left)")
        }
    }
}

/// The server's response parts, as the RPC writer the transport hands out: the first part (metadata, or a status
/// alone) is awaited by the route to build the response head; the rest stream into the response body.
final class ResponseParts: ClosableRPCWriterProtocol {
    private enum Head {
        case waiting(CheckedContinuation<RPCResponsePart<[UInt8]>?, Never>?)
        case arrived(RPCResponsePart<[UInt8]>?)
        case taken
    }

    /// Every part after the first.
    let rest: AsyncStream<RPCResponsePart<[UInt8]>>
    private let restContinuation: AsyncStream<RPCResponsePart<[UInt8]>>.Continuation
    private let head = Mutex(Head.waiting(nil))

    init() { (rest, restContinuation) = AsyncStream.makeStream() }

    /// The first part, once written; nil when the writer finished without any.
    func head() async -> RPCResponsePart<[UInt8]>? {
        await withCheckedContinuation { continuation in
            let ready = self.head.withLock { head -> RPCResponsePart<[UInt8]>?? in
                if case .arrived(let part) = head {
                    head = .taken
                    return .some(part)
                }
                head = .waiting(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    func write(_ element: RPCResponsePart<[UInt8]>) async throws {
        if deliverHead(element) { return }
        if case .terminated = restContinuation.yield(element) { throw RPCError(code: .cancelled, message: "the client went away") }
    }

    func write(contentsOf elements: some Sequence<RPCResponsePart<[UInt8]>>) async throws {
        for element in elements { try await write(element) }
    }

    func finish() async {
        _ = deliverHead(nil)
        restContinuation.finish()
    }

    func finish(throwing error: any Error) async {
        let status = (error as? RPCError).map { Status(code: Status.Code($0.code), message: $0.message) }
            ?? Status(code: .unknown, message: "\(error)")
        try? await write(.status(status, [:]))
        await finish()
    }

    /// Hands `part` to the route when no head has been delivered yet; false once it has.
    private func deliverHead(_ part: RPCResponsePart<[UInt8]>?) -> Bool {
        let (delivered, waiter) = head.withLock { head -> (Bool, CheckedContinuation<RPCResponsePart<[UInt8]>?, Never>?) in
            switch head {
            case .waiting(let waiter?):
                head = .taken
                return (true, waiter)
            case .waiting(nil):
                head = .arrived(part)
                return (true, nil)
            case .arrived, .taken:
                return (false, nil)
            }
        }
        waiter?.resume(returning: part)
        return delivered
    }
}

/// The edge's request context: Hummingbird's, plus the channel a request came on (for gRPC, the HTTP/2 stream
/// whose closing cancels the RPC).
public struct EdgeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

extension Metadata.Value {
    /// The value as header text (binary values base64, as gRPC sends `-bin` keys).
    var text: String {
        switch self {
        case .string(let text): text
        case .binary(let bytes): Data(bytes).base64EncodedString()
        }
    }
}

