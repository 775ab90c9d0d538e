import Benchmarks
import Foundation
import Transcoding

/// The demo's transcoding section: a 4 s 640x360 source with audio, cut into 2 s segments and transcoded to
/// 240p and 144p; each rendition's reported pixels are recounted by decoding it, as a broadcaster would.
enum DemoTranscode {
    static func run(directory: URL) throws {
        print("\n6. Transcoding: 4 s of 360p30 with audio → P240p30fps16x9 + P144p30fps16x9 in 2 s segments")
        LibavLog.errorsOnly()
        let source = directory.appendingPathComponent("source.mp4").path
        try FFmpegTool.run([
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", source,
        ])
        let job = TranscodeJob(input: source, output: directory.appendingPathComponent("transcoded").path,
                               profiles: try VideoProfile.parseList("P240p30fps16x9,P144p30fps16x9"),
                               options: EncoderOptions.detect(preset: "veryfast"))
        let summary = try job.run()
        print(String(format: "   %d segments with %@ in %.2f s (realtime ratio %.3f)", summary.segments.count, summary.encoder,
                     summary.elapsedSeconds, summary.realtimeRatio))
        for segment in summary.segments {
            for rendition in segment.renditions {
                let recount = try PixelCounter.count(path: rendition.file)
                print("   segment \(segment.segment) \(rendition.profile): \(rendition.width)x\(rendition.height), "
                    + "\(rendition.frames) frames, \(rendition.pixels) pixels — decoded again: "
                    + (recount.pixels == rendition.pixels ? "same" : "DIFFERENT (\(recount.pixels))"))
            }
        }
        print("   playlists: master.m3u8, PROFILE/index.m3u8 (VOD), PROFILE/live.m3u8 (live window)")
    }
}
