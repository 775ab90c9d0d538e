public import Transcoding

/// One segment handed to a transcoder: its source bytes on disk, its ladder, and where renditions go.
/// `id` is the orchestrator's task id (go-livepeer's NotifySegment.taskId).
public struct TranscodeTask: Sendable, Hashable {
    public let id: Int64
    public let manifest: String
    public let seq: Int64
    public let durationMs: Int32
    public let profiles: [VideoProfile]
    /// The source segment (MPEG-TS) as received from the broadcaster.
    public let sourcePath: String
    /// Where the renditions must be written, one file per profile, named by `renditionPath(profile:)`.
    public let outputDirectory: String

    public init(id: Int64, manifest: String, seq: Int64, durationMs: Int32, profiles: [VideoProfile], sourcePath: String,
                outputDirectory: String) {
        self.id = id
        self.manifest = manifest
        self.seq = seq
        self.durationMs = durationMs
        self.profiles = profiles
        self.sourcePath = sourcePath
        self.outputDirectory = outputDirectory
    }

    /// The file a rendition of this task is written to.
    public func renditionPath(profile: VideoProfile) -> String { "\(outputDirectory)/\(profile.name)_\(seq).ts" }
}

/// One rendition a transcoder produced: its file (under the task's output directory) and its pixel count.
public struct TranscodedRendition: Sendable, Hashable {
    public let profile: VideoProfile
    public let file: String
    public let pixels: Int64

    public init(profile: VideoProfile, file: String, pixels: Int64) {
        self.profile = profile
        self.file = file
        self.pixels = pixels
    }
}

/// Why a transcoder did not return a task's renditions. The scheduler retries on another transcoder.
public enum TranscoderFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case transcode(String)
    case timeout
    case disconnected
    case badResult(String)

    public var description: String {
        switch self {
        case .transcode(let why): "transcode failed: \(why)"
        case .timeout: "the transcoder did not answer in time"
        case .disconnected: "the transcoder disconnected"
        case .badResult(let why): "the transcoder's result is not usable: \(why)"
        }
    }
}

/// A transcoder the orchestrator schedules segments onto: in-process (`LocalTranscoder`) or a remote process
/// registered over gRPC. `transcode` may run concurrently up to `capacity` tasks; it never blocks the
/// cooperative thread pool (blocking work goes to the worker's own threads).
public protocol TranscoderWorker: AnyObject, Sendable {
    /// Stable within the orchestrator (e.g. "local-1", "remote-3").
    var id: String { get }
    var capacity: Int { get }
    /// "local" or "remote" (as in the transcoder.registered event).
    var kind: String { get }
    func transcode(_ task: TranscodeTask) async throws(TranscoderFailure) -> [TranscodedRendition]
}
