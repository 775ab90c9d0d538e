@testable import Edge
import EthCrypto
import Foundation
import GRPCCore
import Hummingbird
import SwiftProtobuf
import Orchestrator
import Payments
import Testing
import TestSupport
import Wire
import WireRPC

/// The gRPC Orchestrator service over TLS, called by Python's grpcio (an implementation no one here wrote) with
/// stubs generated from Protos/net.proto at test time and requests signed by eth-account.
@Suite("gRPC Orchestrator service")
struct OrchestratorRPCTests {
    /// Generates the stubs, calls GetOrchestrator with a good and a bad signature and Ping; prints JSON.
    static let script = #"""
import importlib.resources, json, sys, tempfile
import grpc
from grpc_tools import protoc
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_hash.auto import keccak

args = json.load(sys.stdin)
out = tempfile.mkdtemp()
include = str(importlib.resources.files("grpc_tools") / "_proto")
status = protoc.main(["protoc", "-I" + args["protos"], "-I" + include, "--python_out=" + out, "--grpc_python_out=" + out,
                      args["protos"] + "/net.proto"])
assert status == 0, "protoc failed"
sys.path.insert(0, out)
import net_pb2, net_pb2_grpc

# Verify the server against its own certificate: real TLS verification, hostname checked against the IP SAN.
credentials = grpc.ssl_channel_credentials(root_certificates=args["cert"].encode())
channel = grpc.secure_channel("127.0.0.1:%d" % args["port"], credentials)
stub = net_pb2_grpc.OrchestratorStub(channel)

def signed_request(signer, claimed):
    digest = keccak(claimed.address.encode())            # keccak256 of the EIP-55 address text, as go-livepeer
    sig = Account.sign_message(encode_defunct(primitive=digest), signer.key).signature
    return net_pb2.OrchestratorRequest(address=bytes.fromhex(claimed.address[2:]), sig=bytes(sig))

broadcaster, other = Account.create(), Account.create()
# Deadlines are roomy: under the full suite on two cores the first call (with the TLS handshake) once took over 10 s.
info = stub.GetOrchestrator(signed_request(broadcaster, broadcaster), timeout=60)
try:
    stub.GetOrchestrator(signed_request(other, broadcaster), timeout=60)
    refused = {"code": "OK", "details": ""}
except grpc.RpcError as error:
    refused = {"code": error.code().name, "details": error.details()}
pong = stub.Ping(net_pb2.PingPong(value=b"are you there"), timeout=60)
ping_signer = Account.recover_message(encode_defunct(primitive=keccak(b"are you there")), signature=pong.value)
print(json.dumps({
    "broadcaster": broadcaster.address,
    "info": info.SerializeToString().hex(),
    "address": "0x" + info.address.hex(),
    "transcoder": info.transcoder,
    "pricePerUnit": info.price_info.pricePerUnit,
    "pixelsPerUnit": info.price_info.pixelsPerUnit,
    "recipient": "0x" + info.ticket_params.recipient.hex(),
    "faceValue": int.from_bytes(info.ticket_params.face_value, "big"),
    "winProb": int.from_bytes(info.ticket_params.win_prob, "big"),
    "recipientRandHash": info.ticket_params.recipient_rand_hash.hex(),
    "tokenLength": len(info.auth_token.token),
    "expiration": info.auth_token.expiration,
    "refused": refused,
    "pingSigner": ping_signer,
}))
"""#

    struct Input: Encodable {
        let port: Int
        let cert: String
        let protos: String
    }

    struct Output: Decodable {
        struct Refusal: Decodable {
            let code: String
            let details: String
        }
        let broadcaster: String
        let info: String
        let address: String
        let transcoder: String
        let pricePerUnit: Int64
        let pixelsPerUnit: Int64
        let recipient: String
        let faceValue: Double
        let winProb: Double
        let recipientRandHash: String
        let tokenLength: Int
        let expiration: Int64
        let refused: Refusal
        let pingSigner: String
    }

    @Test("grpcio over TLS, on the gRPC port and on the edge's one port: GetOrchestrator answers with address, price, ticket params and a valid auth token; a bad sig is UNAUTHENTICATED; Ping is signed")
    func pythonClient() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-rpc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now: Int64 = 1_764_300_000
        let orchestrator = try TestOrchestrator(directory: directory, now: { now })
        let (address, edge) = try await orchestrator.start()
        defer { orchestrator.stop() }
        let certificate = try #require(orchestrator.tls).certificatePEM
        // Both the gRPC-only port and the edge's one port (gRPC and HTTPS together, as go-livepeer serves them).
        let edgePort = try #require(URL(string: edge)?.port)
        for port in [address.port, edgePort] {
            // Off the cooperative pool: the orchestrator answering grpcio runs in this process and needs the pool.
            let input = Input(port: port, cert: certificate, protos: PythonOracle.packageRoot.appendingPathComponent("Protos").path)
            let output = try await OffPool.run { try PythonOracle.json(script: Self.script, input: input, as: Output.self) }

            #expect(try Address(output.address) == orchestrator.key.address)
            #expect(try Address(output.recipient) == orchestrator.key.address, "tickets pay the orchestrator")
            #expect(output.transcoder == edge && edge.hasPrefix("https://"), "segments go to the HTTPS edge")
            #expect(output.pricePerUnit == 1_000 && output.pixelsPerUnit == 1)
            #expect(output.faceValue > 0 && output.winProb > 0 && output.recipientRandHash.count == 64)
            #expect(output.tokenLength == 32 && output.expiration == now + AuthTokens.lifetimeSeconds)
            // The same message decoded here: its auth token is the orchestrator's own and current.
            let info = try Net_OrchestratorInfo(serializedBytes: Hex.decode(output.info))
            #expect(AuthTokens.isValid(info.authToken, secret: TestOrchestrator.authSecret, now: now))
            #expect(!AuthTokens.isValid(info.authToken, secret: Array("another".utf8), now: now))
            #expect(info.capabilities.bitstring == LivepeerCapabilities.advertisement(capacity: 4).bitstring)
            #expect(output.refused.code == "UNAUTHENTICATED", "port \(port): \(output.refused)")
            #expect(output.refused.details.contains("sig"))
            #expect(try Address(output.pingSigner) == orchestrator.key.address)
        }
    }

    @Test("Swift client over TLS without verifying the self-signed certificate: GetOrchestrator; a tampered sig and a plaintext client are refused")
    func swiftClient() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-rpc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let orchestrator = try TestOrchestrator(directory: directory)
        let (address, _) = try await orchestrator.start()
        defer { orchestrator.stop() }
        let broadcaster = try PrivateKey.generate()
        let info = try await OrchestratorClientProbe.getOrchestrator(address: address, request: NodeSigning.request(key: broadcaster))
        #expect(try Address(bytes: info.address) == orchestrator.key.address)

        var tampered = try NodeSigning.request(key: broadcaster)
        tampered.address = Data(try PrivateKey.generate().address.bytes)  // someone else's address, the broadcaster's sig
        await #expect(throws: RPCError.self) { _ = try await OrchestratorClientProbe.getOrchestrator(address: address, request: tampered) }
        do {
            _ = try await OrchestratorClientProbe.getOrchestrator(address: address, request: tampered)
        } catch let error as RPCError {
            #expect(error.code == .unauthenticated)
        }
        // A plaintext client cannot talk to the TLS port.
        let plain = NodeAddress(host: address.host, port: address.port, tls: false)
        await #expect(throws: (any Error).self) {
            _ = try await OrchestratorClientProbe.getOrchestrator(address: plain, request: NodeSigning.request(key: broadcaster))
        }
    }
}

/// A raw generated-stub call (no retries, no mapping of errors), for checking the service's statuses.
enum OrchestratorClientProbe {
    static func getOrchestrator(address: NodeAddress, request: Net_OrchestratorRequest) async throws -> Net_OrchestratorInfo {
        try await NodeRPC.withClient(to: address) { client in
            try await Net_Orchestrator.Client(wrapping: client).getOrchestrator(request, options: NodeRPC.options(timeout: .seconds(30)))
        }
    }
}

/// The edge's gRPC framing: length-prefixed messages across chunk boundaries, and its limits.
@Suite("gRPC framing on the edge")
struct GRPCFramingTests {
    static func chunk(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    /// The status code `body` throws with; nil when it does not throw.
    static func refusal(_ body: () throws -> Void) -> RPCError.Code? {
        do { try body() } catch let error as RPCError { return error.code } catch { return .unknown }
        return nil
    }

    @Test("messages split across chunks are reassembled; oversize, compressed and truncated messages are refused with a status")
    func deframer() throws {
        var deframer = GRPCDeframer(limit: 8)
        #expect(try deframer.append(Self.chunk([0, 0, 0])).isEmpty)
        #expect(try deframer.append(Self.chunk([0, 3, 1, 2])).isEmpty)
        #expect(try deframer.append(Self.chunk([3, 0, 0, 0, 0, 0])) == [[1, 2, 3], []])
        try deframer.end()
        var oversize = GRPCDeframer(limit: 8)
        #expect(Self.refusal { _ = try oversize.append(Self.chunk([0, 0, 0, 0, 9])) } == .resourceExhausted)
        var compressed = GRPCDeframer(limit: 8)
        #expect(Self.refusal { _ = try compressed.append(Self.chunk([1, 0, 0, 0, 1, 7])) } == .unimplemented)
        var truncated = GRPCDeframer(limit: 8)
        _ = try truncated.append(Self.chunk([0, 0, 0, 0, 4, 1]))
        #expect(Self.refusal { try truncated.end() } == .internalError)
        var long = GRPCDeframer(limit: 8, total: 12)
        #expect(try long.append(Self.chunk([0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 2])).count == 2)
        #expect(Self.refusal { _ = try long.append(Self.chunk([0])) } == .resourceExhausted)
        #expect(GRPCRoutes.frame([9, 8]) == ByteBuffer(bytes: [0, 0, 0, 0, 2, 9, 8]))
        #expect(GRPCRoutes.percentEncoded("50% sure\n") == "50%25 sure%0A")
    }
}

/// Start-up errors an operator can act on.
@Suite("edge start-up errors")
struct EdgeStartupTests {
    @Test("a port already in use is named, with what to do (not a 10 s wait ending in \"did not start\")")
    func portInUse() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-port-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try TestOrchestrator(directory: directory)
        let url = try await first.edge.start()
        defer { first.edge.stop() }
        let port = try #require(URL(string: url)?.port)
        let second = EdgeServer(node: first.node, port: port, context: { TestOrchestrator.chain }, tls: first.tls)
        // The typed error itself shows there was no timeout (that would be `.didNotStart`, after 10 s); wall time is
        // not asserted, as a loaded CI machine can delay this test's task by seconds.
        do {
            _ = try await second.start()
            Issue.record("a second server bound a port in use")
        } catch let error as EdgeError {
            guard case .cannotListen(let address, let reason) = error else { Issue.record("\(error)"); return }
            #expect(address == "127.0.0.1:\(port)" && reason.contains("in use"), "\(error)")
            #expect(error.description.contains("choose another port"))
        }
    }
}
