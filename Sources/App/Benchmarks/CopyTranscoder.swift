import Foundation
import Orchestrator
import Transcoding

/// The control-plane benchmark's stand-in for a transcoder (labelled: never used by a node): each rendition
/// is a copy of the source segment, reported at the profile's nominal pixel count. What remains to measure
/// is negotiation, payment, events, scheduling and HTTP.
final class CopyTranscoder: TranscoderWorker {
    let id: String
    let capacity: Int
    let kind = "local"

    init(id: String, capacity: Int) {
        self.id = id
        self.capacity = capacity
    }

    func transcode(_ task: TranscodeTask) async throws(TranscoderFailure) -> [TranscodedRendition] {
        do {
            try FileManager.default.createDirectory(atPath: task.outputDirectory, withIntermediateDirectories: true)
            return try task.profiles.map { profile in
                let path = task.renditionPath(profile: profile)
                try? FileManager.default.removeItem(atPath: path)
                try FileManager.default.copyItem(atPath: task.sourcePath, toPath: path)
                let frames = Int64(profile.fps) * Int64(task.durationMs) / 1_000
                return TranscodedRendition(profile: profile, file: path, pixels: Int64(profile.width * profile.height) * frames)
            }
        } catch {
            throw .transcode("copy failed: \(error)")
        }
    }
}
