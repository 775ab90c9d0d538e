public import EthCrypto
import Foundation
import GRPCCore
import SwiftProtobuf
public import Wire
public import WireRPC

/// How a broadcaster reaches orchestrators: GetOrchestrator, POST /segment and rendition fetches. `OrchestratorClient`
/// is the network's (gRPC and HTTPS); the market simulation delivers the same messages in process.
public protocol OrchestratorTransport: Sendable {
    /// The orchestrator at `address`: its ticket params for this broadcaster, price, address, capabilities, auth token.
    func getOrchestrator(_ address: String, offchain: Bool, capabilities: Net_Capabilities) async throws(NodeTransportError)
        -> Net_OrchestratorInfo
    /// POST `body` to `<transcoderURL>/segment` with go-livepeer's headers; the status and the reply's bytes.
    func postSegment(transcoderURL: String, segment: Net_SegData, payment: Net_Payment?, body: [UInt8],
                     timeout: Duration) async throws(NodeTransportError) -> (status: Int, body: [UInt8])
    /// GET `url` (a rendition); the status and the bytes.
    func fetch(_ url: String) async throws(NodeTransportError) -> (status: Int, body: [UInt8])
}

extension OrchestratorTransport {
    /// GetOrchestrator for the job's usual capabilities.
    public func getOrchestrator(_ address: String, offchain: Bool = false) async throws(NodeTransportError) -> Net_OrchestratorInfo {
        try await getOrchestrator(address, offchain: offchain, capabilities: LivepeerCapabilities.job())
    }
}

/// A broadcaster's calls to one orchestrator, as go-livepeer's: GetOrchestrator over gRPC (TLS, the request
/// signed by the broadcaster), POST /segment and rendition fetches over HTTP(S). Certificates are not verified
/// (orchestrators' are self-signed); the results are, by the orchestrator's signature (`ResultVerifier`).
public struct OrchestratorClient: OrchestratorTransport {
    public let key: PrivateKey
    /// Deadline of each GetOrchestrator call and fetch.
    public let timeout: Duration

    public init(key: PrivateKey, timeout: Duration = .seconds(5)) {
        self.key = key
        self.timeout = timeout
    }

    /// The orchestrator at `address` (`host:port`, `https://host:port` or `http://host:port`): its ticket params
    /// for this broadcaster, price, address, capabilities and an auth token. The request names the job's
    /// capabilities; off-chain it carries no signature, as go-livepeer's `-network offchain` broadcaster sends it.
    public func getOrchestrator(_ address: String, offchain: Bool,
                                capabilities: Net_Capabilities) async throws(NodeTransportError) -> Net_OrchestratorInfo {
        let target = try NodeAddress(address)
        var request = Net_OrchestratorRequest()
        if !offchain {
            guard let signed = try? NodeSigning.request(key: key) else { throw .rpc(code: "internal", message: "cannot sign the request") }
            request = signed
        }
        request.capabilities = capabilities
        let options = NodeRPC.options(timeout: timeout)
        do {
            return try await NodeRPC.withClient(to: target) { client in
                try await Net_Orchestrator.Client(wrapping: client).getOrchestrator(request, options: options)
            }
        } catch {
            throw NodeRPC.failure(error)
        }
    }

    /// POST `body` to `<transcoderURL>/segment` with go-livepeer's headers; the status and the reply's bytes.
    /// An absent `payment` is sent as an empty header (go-livepeer's off-chain broadcaster).
    public func postSegment(transcoderURL: String, segment: Net_SegData, payment: Net_Payment?, body: [UInt8],
                            timeout: Duration) async throws(NodeTransportError) -> (status: Int, body: [UInt8]) {
        guard let segmentHeader = try? segment.serializedData().base64EncodedString(),
              let paymentHeader = try? payment.map({ try $0.serializedData().base64EncodedString() }) ?? "" else {
            throw .http("cannot serialize the segment or payment header")
        }
        let reply = try await EdgeHTTP.post("\(transcoderURL)/segment",
                                            headers: [("Livepeer-Segment", segmentHeader), ("Livepeer-Payment", paymentHeader),
                                                      ("Content-Type", "video/MP2T")],
                                            body: body, timeout: timeout)
        return (reply.status, reply.body)
    }

    /// GET `url` (a rendition); the status and the bytes.
    public func fetch(_ url: String) async throws(NodeTransportError) -> (status: Int, body: [UInt8]) {
        let reply = try await EdgeHTTP.get(url, timeout: timeout)
        return (reply.status, reply.body)
    }
}
