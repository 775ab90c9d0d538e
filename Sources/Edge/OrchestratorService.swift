import Foundation
import GRPCCore
import EthCrypto
import Orchestrator
import Wire
import WireRPC

/// go-livepeer's gRPC Orchestrator service: GetOrchestrator (after checking the request's signature), Ping
/// (the value signed) and EndTranscodingSession.
struct OrchestratorService: Net_Orchestrator.SimpleServiceProtocol {
    let source: OrchestratorInfoSource

    func getOrchestrator(request: Net_OrchestratorRequest, context: ServerContext) async throws -> Net_OrchestratorInfo {
        guard let sender = NodeSigning.verifiedSender(of: request) else {
            throw RPCError(code: .unauthenticated,
                           message: "Invalid orchestrator request: sig is not the sender's signature over its address")
        }
        do {
            return try source.info(for: sender)
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
/// for every task the hub sends; a wrong secret is refused with PERMISSION_DENIED.
struct TranscoderService: Net_Transcoder.SimpleServiceProtocol {
    let hub: RemoteTranscoderHub

    func registerTranscoder(request: Net_RegisterRequest, response: RPCWriter<Net_NotifySegment>,
                            context: ServerContext) async throws {
        let transcoder: RemoteTranscoder, notifications: AsyncStream<Net_NotifySegment>
        do {
            (transcoder, notifications) = try hub.register(secret: request.secret, capacity: request.capacity)
        } catch {
            switch error {
            case .wrongSecret: throw RPCError(code: .permissionDenied, message: error.description)
            case .badCapacity: throw RPCError(code: .invalidArgument, message: error.description)
            case .notAccepting: throw RPCError(code: .failedPrecondition, message: error.description)
            }
        }
        let hub = hub, id = transcoder.id
        // The transcoder's side closing (or its connection breaking) cancels the RPC, not this task: watch for it.
        let watcher = Task {
            do {
                try await context.cancellation.cancelled
                hub.disconnect(id, reason: "the transcoder closed its stream")
            } catch {}
        }
        defer { watcher.cancel() }
        do {
            for await notification in notifications { try await response.write(notification) }
        } catch {
            hub.disconnect(id, reason: "writing to the transcoder failed: \(error)")
            throw error
        }
        hub.disconnect(id, reason: "the stream ended")
    }
}
