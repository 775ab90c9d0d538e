import ArgumentParser
import Foundation
import Transcoding

/// `streamflow transcode INPUT --profiles LIST --out DIR`: segment, transcode the ladder, write HLS and summary.json.
struct TranscodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcode",
        abstract: "Cut INPUT into segments and transcode each to every profile (H.264 in MPEG-TS, HLS playlists).",
        discussion: """
            Profiles are go-livepeer's names (P720p30fps16x9, P360p30fps16x9, P240p30fps16x9, …) or WxH:BITRATE[:FPS] \
            (e.g. 640x360:800k:30). Writes DIR/source/, DIR/PROFILE/seg_N.ts, DIR/PROFILE/index.m3u8 (VOD), \
            DIR/PROFILE/live.m3u8 (last --live-window segments), DIR/master.m3u8 and DIR/summary.json.
            """)

    @Argument(help: "The input file (MPEG-TS, MP4, FLV, … anything libavformat reads).") var input: String
    @Option(help: "Comma-separated profiles.") var profiles: String
    @Option(help: "The output directory.") var out: String
    @Option(help: "Target segment length in seconds (cuts happen on keyframes).") var segmentSeconds: Double = 2
    @Option(help: "x264 preset (ultrafast … veryslow).") var preset = "veryfast"
    @Option(help: "Segments in the live playlist window.") var liveWindow = 6
    @Flag(help: "Never use the GPU encoder even when one is present.") var cpu = false

    func run() throws {
        LibavLog.errorsOnly()
        let ladder = try VideoProfile.parseList(profiles)
        let options = EncoderOptions.detect(preferGPU: !cpu, preset: preset)
        let job = TranscodeJob(input: input, output: out, profiles: ladder, segmentSeconds: segmentSeconds,
                               options: options, liveWindow: liveWindow)
        let summary = try job.run { done, total in ProgressBar.draw(done: done, total: total) }
        FileHandle.standardError.write(Data("\n".utf8))
        print("\(summary.segments.count) segments, \(String(format: "%.2f", summary.mediaSeconds)) s of media, "
            + "\(ladder.count) renditions with \(summary.encoder) (\(summary.preset))")
        print(String(format: "took %.2f s: %.1f source frames/s, realtime ratio %.3f", summary.elapsedSeconds,
                     summary.framesPerSecond, summary.realtimeRatio))
        for (index, profile) in ladder.enumerated() {
            let renditions = summary.segments.map { $0.renditions[index] }
            let frames = renditions.reduce(0) { $0 + $1.frames }
            let pixels = renditions.reduce(0) { $0 + $1.pixels }
            print("  \(profile.name): \(renditions.first.map { "\($0.width)x\($0.height)" } ?? "-"), \(frames) frames, \(pixels) pixels")
        }
        print("wrote \(out)/master.m3u8 and \(out)/summary.json")
    }
}

/// A one-line progress bar on stderr.
enum ProgressBar {
    static func draw(done: Int, total: Int) {
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) segments".utf8))
    }
}
