public import AsyncHTTPClient
import Foundation
public import JSONCore
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends JSON-RPC 2.0 calls to one Ethereum node over HTTP(S): one request per call, a deadline per call, and a
/// bound on the answer's size (a node that streams more is refused, not buffered).
public final class JSONRPCClient: EthereumRPC {
    public let url: String
    public let timeout: Duration
    public let maxResponseBytes: Int
    private let client: HTTPClient
    private let nextID = Atomic<Int64>(1)

    public init(url: String, timeout: Duration = .seconds(10), maxResponseBytes: Int = 16 << 20, client: HTTPClient = .shared) {
        self.url = url
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.client = client
    }

    public func call(_ method: String, _ params: [JSONValue]) async throws(EthereumRPCError) -> JSONValue {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let body: [UInt8]
        do {
            body = try CanonicalJSON.encode(["jsonrpc": "2.0", "id": .integer(id), "method": .string(method), "params": .array(params)])
        } catch {
            throw .malformedResponse(method: method, reason: "request not encodable: \(error)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let bytes: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(seconds * 1e9)))
            guard response.status == .ok else {
                throw EthereumRPCError.transport(method: method, reason: "HTTP \(response.status.code)")
            }
            bytes = try await response.body.collect(upTo: maxResponseBytes)
        } catch let error as EthereumRPCError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw .timeout(method: method, seconds: seconds)
        } catch let error as NIOTooManyBytesError {
            throw .malformedResponse(method: method, reason: "answer over \(maxResponseBytes) bytes (\(error))")
        } catch {
            throw .transport(method: method, reason: "\(error)")
        }
        return try Self.result(of: Array(buffer: bytes), id: id, method: method)
    }

    /// The `result` of a response, or its `error` as a typed failure.
    static func result(of bytes: [UInt8], id: Int64, method: String) throws(EthereumRPCError) -> JSONValue {
        let response: JSONValue
        do { response = try JSONParser.parse(bytes) } catch {
            throw .malformedResponse(method: method, reason: "not JSON: \(String(decoding: bytes.prefix(80), as: UTF8.self))")
        }
        guard response["id"]?.integerValue == id else { throw .malformedResponse(method: method, reason: "id does not match the request") }
        if let error = response["error"], error != .null {
            let data = error["data"]?.stringValue.flatMap { try? HexQuantity.bytes($0) }
            throw .node(method: method, code: error["code"]?.integerValue ?? 0, message: error["message"]?.stringValue ?? "\(error)",
                        data: data)
        }
        guard let result = response["result"] else { throw .malformedResponse(method: method, reason: "no result") }
        return result
    }
}

/// Anything that answers Ethereum JSON-RPC calls (the HTTP client; a test may wrap it to inject faults).
public protocol EthereumRPC: Sendable {
    func call(_ method: String, _ params: [JSONValue]) async throws(EthereumRPCError) -> JSONValue
}
