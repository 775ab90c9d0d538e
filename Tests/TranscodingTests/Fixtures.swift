import Foundation
import TestSupport
@testable import Transcoding

/// Test media made by ffmpeg in a fresh directory, and the checks every rendition gets from ffprobe.
struct MediaFixture {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-media-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        LibavLog.errorsOnly()
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// A test pattern of `seconds` at `width`×`height` and `fps`, with a sine tone when `audio`; keyframes every
    /// second so 2 s segments can be cut; the container follows the file extension.
    func source(_ name: String, width: Int, height: Int, fps: Int = 30, seconds: Int = 4, audio: Bool = true,
                extra: [String] = []) throws -> String {
        var arguments = ["-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=\(fps)"]
        if audio { arguments += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"] }
        arguments += ["-t", String(seconds)] + extra
        arguments += ["-c:v", "libx264", "-preset", "ultrafast", "-g", String(fps), "-pix_fmt", "yuv420p"]
        if audio { arguments += ["-c:a", "aac", "-b:a", "64k"] }
        arguments.append(path(name))
        try MediaTools.ffmpeg(arguments)
        return path(name)
    }

    /// What ffprobe says of a rendition's video stream: codec, size, decoded frames, first and last pts.
    struct Probe {
        let codec: String
        let width: Int
        let height: Int
        let frames: Int
        let firstTime: Double
        let lastTime: Double
        let audioCodec: String?
    }

    static func probe(_ path: String) throws -> Probe {
        let streams = try MediaTools.probe(path, ["-count_frames", "-show_entries",
                                                  "stream=codec_type,codec_name,width,height,nb_read_frames"])["streams"] as? [[String: Any]] ?? []
        guard let video = streams.first(where: { $0["codec_type"] as? String == "video" }) else {
            throw MediaTools.Failure(description: "\(path) has no video stream")
        }
        let frames = try MediaTools.probe(path, ["-select_streams", "v", "-show_entries", "frame=pts_time"])["frames"] as? [[String: Any]] ?? []
        let times = frames.compactMap { ($0["pts_time"] as? String).flatMap(Double.init) }
        return Probe(
            codec: video["codec_name"] as? String ?? "", width: video["width"] as? Int ?? 0, height: video["height"] as? Int ?? 0,
            frames: Int(video["nb_read_frames"] as? String ?? "") ?? -1, firstTime: times.min() ?? 0, lastTime: times.max() ?? 0,
            audioCodec: streams.first(where: { $0["codec_type"] as? String == "audio" })?["codec_name"] as? String)
    }
}
