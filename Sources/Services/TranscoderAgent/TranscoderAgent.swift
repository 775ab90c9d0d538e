import Foundation
import GRPCCore
public import WireRPC
public import Transcoding
import Wire

/// A remote transcoder process's side of go-livepeer's protocol: registers with an orchestrator over gRPC
/// (Transcoder.RegisterTranscoder with the shared secret and its capacity), transcodes every NotifySegment the
/// stream brings (`SegmentWork`), posts the renditions back, and reconnects with backoff when the orchestrator
/// goes away. A refused secret ends it.
public final class TranscoderAgent: Sendable {
    public let orchestrator: NodeAddress
    public let capacity: Int
    private let secret: String
    private let work: SegmentWork
    private let log: @Sendable (String) -> Void

    /// `workDirectory` holds sources and renditions while a task runs; `streamLimits` bounds the streams
    /// holding encoders; `log` receives one line per event.
    public init(orchestrator: NodeAddress, secret: String, capacity: Int, workDirectory: String,
                streamLimits: StreamTranscoderTable.Limits = .init(),
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.orchestrator = orchestrator
        self.secret = secret
        self.capacity = capacity
        work = SegmentWork(secret: secret, workDirectory: workDirectory, streamLimits: streamLimits)
        self.log = log
    }

    /// Serves until the task is cancelled; throws only when the orchestrator refuses the registration.
    /// Reconnects after 0.5, 1, 2 … 10 s; the delay starts over after a session that lasted 5 s or more.
    public func run() async throws(TranscoderAgentError) {
        var delay = 0.5
        while !Task.isCancelled {
            let started = ContinuousClock.now
            do {
                try await session()
                log("the orchestrator ended the stream")
            } catch let error as RPCError where error.code == .permissionDenied || error.code == .invalidArgument
                || error.code == .failedPrecondition {
                throw .refused("\(error.code): \(error.message)")
            } catch {
                log("connection to \(orchestrator) lost: \(NodeRPC.failure(error))")
            }
            if ContinuousClock.now - started >= .seconds(5) { delay = 0.5 }
            try? await Task.sleep(for: .milliseconds(Int64(delay * 1_000)))
            delay = min(delay * 2, 10)
        }
    }

    /// One registration: each NotifySegment handled in its own child task until the stream ends.
    private func session() async throws {
        var request = Net_RegisterRequest()
        request.secret = secret
        request.capacity = Int64(capacity)
        let work = work, log = log, orchestrator = orchestrator, capacity = capacity
        try await NodeRPC.withClient(to: orchestrator) { client in
            var options = CallOptions.defaults
            options.waitForReady = false  // an unreachable orchestrator fails the call; `run` backs off and retries
            try await Net_Transcoder.Client(wrapping: client).registerTranscoder(request, options: options) { response in
                if case .failure(let refusal) = response.accepted { throw refusal }
                log("registered with \(orchestrator) (capacity \(capacity))")
                try await withThrowingDiscardingTaskGroup { group in
                    for try await notification in response.messages {
                        group.addTask {
                            let outcome = await work.handle(notification)
                            log("task \(notification.taskID) (seq \(notification.segData.seq)): \(outcome)")
                        }
                    }
                }
            }
        }
    }
}

/// Why a transcoder agent stopped.
public enum TranscoderAgentError: Error, Equatable, Sendable, CustomStringConvertible {
    case refused(String)

    public var description: String {
        switch self {
        case .refused(let why): "the orchestrator refused the registration (\(why))"
        }
    }
}
