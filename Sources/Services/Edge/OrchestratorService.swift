import Foundation
import GRPCCore
import EthCrypto
import Orchestrator
import Wire
import WireRPC

/// go-livepeer's gRPC Orchestrator service: GetOrchestrator (after checking the request's signature, except
/// off-chain where go-livepeer checks none), Ping (the value signed) and EndTranscodingSession.
struct OrchestratorService: Net_Orchestrator.SimpleServiceProtocol {
    let source: OrchestratorInfoSource

    func getOrchestrator(request: Net_OrchestratorRequest, context: ServerContext) async throws -> Net_OrchestratorInfo {
        let offchainSender = source.node.intake.offchain ? Address.offchain(request.address) : nil
        guard let sender = offchainSender ?? NodeSigning.verifiedSender(of: request) else {
            throw RPCError(code: .unauthenticated,
                           message: "Invalid orchestrator request: sig is not the sender's signature over its address")
        }
        do {
            return try await source.freshInfo(for: sender)
        } catch {
            throw RPCError(code: .failedPrecondition, message: "no ticket params for \(sender.checksummed): \(error)")
        }
    }

    func endTranscodingSession(request: Net_EndTranscodingSessionRequest,
                               context: ServerContext) async throws -> Net_EndTranscodingSessionResponse {
        Net_EndTranscodingSessionResponse()
    }

    func ping(request: Net_PingPong, context: ServerContext) async throws -> Net_PingPong {
        var pong = Net_PingPong()
        pong.value = try NodeSigning.pong(value: request.value, key: source.node.key)
        return pong
    }
}

/// go-livepeer's gRPC Transcoder service: RegisterTranscoder keeps the stream open and writes a NotifySegment
/// for every task the hub sends. A refused registration (wrong secret: PERMISSION_DENIED) is rejected before
/// the stream is accepted, so the transcoder sees the status and no open stream.
struct TranscoderService: Net_Transcoder.ServiceProtocol {
    let hub: RemoteTranscoderHub

    func registerTranscoder(request: ServerRequest<Net_RegisterRequest>,
                            context: ServerContext) async throws -> StreamingServerResponse<Net_NotifySegment> {
        let transcoder: RemoteTranscoder, notifications: AsyncStream<Net_NotifySegment>
        do {
            (transcoder, notifications) = try hub.register(secret: request.message.secret, capacity: request.message.capacity)
        } catch {
            switch error {
            case .wrongSecret: return StreamingServerResponse(error: RPCError(code: .permissionDenied, message: error.description))
            case .badCapacity: return StreamingServerResponse(error: RPCError(code: .invalidArgument, message: error.description))
            case .notAccepting: return StreamingServerResponse(error: RPCError(code: .failedPrecondition, message: error.description))
            }
        }
        let hub = hub, id = transcoder.id
        return StreamingServerResponse(metadata: [:]) { writer in
            // The transcoder's side closing (or its connection breaking) cancels the RPC, not this task: watch for it.
            let watcher = Task {
                do {
                    try await context.cancellation.cancelled
                    hub.disconnect(id, reason: "the transcoder closed its stream")
                } catch {}
            }
            defer { watcher.cancel() }
            do {
                for await notification in notifications { try await writer.write(notification) }
            } catch {
                hub.disconnect(id, reason: "writing to the transcoder failed: \(error)")
                throw error
            }
            hub.disconnect(id, reason: "the stream ended")
            return [:]
        }
    }
}

extension Address {
    /// The address an off-chain request names, as go-livepeer's `BytesToAddress` reads it (zero when absent).
    static func offchain(_ bytes: Data) -> Address {
        (try? Address(bytes: Data(count: max(0, 20 - bytes.count)) + bytes.suffix(20))) ?? .zero
    }
}
