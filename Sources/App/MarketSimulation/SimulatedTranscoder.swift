import Foundation
public import Orchestrator
public import Transcoding
import Synchronization

/// The simulation's transcoder, labelled as such: it stands in for libavcodec only inside the market simulation (the
/// transcode itself is not what the simulation is about). Each rendition is a copy of the source reported at the
/// profile's nominal pixel count. The fault plan can make it fail its next tasks (dead or timed out), and the
/// orchestrator's scheduler must retry elsewhere.
public final class SimulatedTranscoder: TranscoderWorker, Sendable {
    public let id: String
    public let capacity: Int
    public let kind = "local"
    private let failing = Mutex<(count: Int, failure: TranscoderFailure)>((0, .timeout))

    public init(id: String, capacity: Int) {
        self.id = id
        self.capacity = capacity
    }

    /// The next `count` tasks fail with `failure`.
    public func failNext(_ count: Int, with failure: TranscoderFailure) { failing.withLock { $0 = (count, failure) } }

    public func transcode(_ task: TranscodeTask) async throws(TranscoderFailure) -> [TranscodedRendition] {
        let failure: TranscoderFailure? = failing.withLock { failing in
            guard failing.count > 0 else { return nil }
            failing.count -= 1
            return failing.failure
        }
        if let failure { throw failure }
        do {
            let files = FileManager.default
            try files.createDirectory(atPath: task.outputDirectory, withIntermediateDirectories: true)
            let source = try Data(contentsOf: URL(fileURLWithPath: task.sourcePath))
            return try task.profiles.map { profile in
                let path = task.renditionPath(profile: profile)
                try source.write(to: URL(fileURLWithPath: path))
                let frames = Int64(profile.fps) * Int64(task.durationMs) / 1_000
                return TranscodedRendition(profile: profile, file: path, pixels: Int64(profile.width * profile.height) * frames)
            }
        } catch {
            throw .transcode("copy failed: \(error)")
        }
    }
}
