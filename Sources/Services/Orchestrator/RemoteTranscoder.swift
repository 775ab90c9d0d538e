public import Wire

/// A transcoder process registered over gRPC (Transcoder.RegisterTranscoder): tasks go to it as NotifySegment
/// messages on its open stream and come back as POST /transcodeResults, both through its `RemoteTranscoderHub`.
public final class RemoteTranscoder: TranscoderWorker {
    public let id: String
    public let capacity: Int
    public let kind = "remote"
    /// The registration stream's writer: what is yielded here is sent to the process as NotifySegment.
    let notifications: AsyncStream<Net_NotifySegment>.Continuation
    private unowned let hub: RemoteTranscoderHub

    init(id: String, capacity: Int, notifications: AsyncStream<Net_NotifySegment>.Continuation, hub: RemoteTranscoderHub) {
        self.id = id
        self.capacity = capacity
        self.notifications = notifications
        self.hub = hub
    }

    /// Sends `task` to the process and waits for its renditions: `.disconnected` when its stream drops first,
    /// `.timeout` when no result comes within the hub's task timeout.
    public func transcode(_ task: TranscodeTask) async throws(TranscoderFailure) -> [TranscodedRendition] {
        try await hub.dispatch(task, to: self)
    }
}

/// A registration or a loss of a remote transcoder, as the hub reports them (the scheduler's input).
public enum RemoteTranscoderEvent: Sendable, Equatable {
    case registered(id: String, capacity: Int)
    case lost(id: String, reason: String)
}

/// Why a RegisterTranscoder call was refused.
public enum RegistrationRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongSecret
    case badCapacity(Int64)
    case notAccepting

    public var description: String {
        switch self {
        case .wrongSecret: "the transcoder secret is wrong"
        case .badCapacity(let capacity): "capacity \(capacity) is not between 1 and \(RemoteTranscoderHub.maxCapacity)"
        case .notAccepting: "this orchestrator accepts no remote transcoders (no --transcoder-secret)"
        }
    }
}

/// What the hub made of a POST /transcodeResults, with the HTTP status the edge answers.
public enum ResultReceipt: Equatable, Sendable {
    case accepted
    case badCredentials
    case unknownTask
    case rejected(String)

    /// 200 accepted (also when the transcoder reported an error: the result was delivered); 401 credentials;
    /// 404 a task not waiting (timed out, or never sent); 400 an unusable body.
    public var status: Int {
        switch self {
        case .accepted: 200
        case .badCredentials: 401
        case .unknownTask: 404
        case .rejected: 400
        }
    }
}
