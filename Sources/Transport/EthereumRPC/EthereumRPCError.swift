import Foundation

/// Why a JSON-RPC call to an Ethereum node failed, each with what an operator needs to act on it.
public enum EthereumRPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer within the call's deadline.
    case timeout(method: String, seconds: Double)
    /// The connection failed or the server answered with a non-200 status.
    case transport(method: String, reason: String)
    /// The answer is not a JSON-RPC response (not JSON, wrong id, no result, wrong type, too large).
    case malformedResponse(method: String, reason: String)
    /// The node answered with a JSON-RPC error.
    case node(method: String, code: Int64, message: String, data: [UInt8]?)

    public var description: String {
        switch self {
        case .timeout(let method, let seconds): "\(method): no answer within \(seconds) s"
        case .transport(let method, let reason): "\(method): \(reason)"
        case .malformedResponse(let method, let reason): "\(method): malformed answer: \(reason)"
        case .node(let method, let code, let message, _): "\(method): node error \(code): \(message)"
        }
    }

    /// The revert reason of a reverted call (`Error(string)` data decoded, or the node's message), if this is one.
    public var revertReason: String? {
        guard case .node(_, let code, let message, let data) = self else { return nil }
        if let data, data.count >= 68, Array(data.prefix(4)) == [0x08, 0xC3, 0x79, 0xA0] {
            let length = data[36..<68].reduce(0) { $0 << 8 | Int($1) }
            if length >= 0, length <= data.count - 68, let text = String(validating: data[68..<68 + length], as: UTF8.self) {
                return text
            }
        }
        if code == 3 || message.contains("revert") {
            return message.replacingOccurrences(of: "execution reverted: ", with: "")
        }
        return nil
    }

    /// Whether retrying the same call later may succeed (the node was unreachable, slow or answered garbage).
    public var isTransient: Bool {
        switch self {
        case .timeout, .transport, .malformedResponse: true
        case .node(_, let code, _, _): code == -32603 || code == -32000 && revertReason == nil
        }
    }
}
