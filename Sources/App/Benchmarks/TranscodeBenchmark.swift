import Dispatch
import Foundation
import Transcoding

/// `streamflow bench transcode`: a 10 s 720p30 source with audio → 480p + 360p + 240p in 2 s segments,
/// against the ffmpeg command line doing the same ladder with the same encoder settings (one decode,
/// split, scale, encode) on the whole file, in the same run. Best of three interleaved rounds.
public enum TranscodeBenchmark {
    public struct Report: Sendable, Codable {
        public let mediaSeconds: Double
        public let segments: Int
        public let streamflowSeconds: Double
        public let ffmpegSeconds: Double
        /// Source frames per second of wall time, ours.
        public let framesPerSecond: Double
        /// Our time ÷ media time.
        public let realtimeRatio: Double
        /// Our time ÷ the ffmpeg CLI's (goal ≤ 1.1).
        public let ratioToFFmpeg: Double
        public let goalMet: Bool
    }

    static let ladder = ["P480p30fps16x9", "P360p30fps16x9", "P240p30fps16x9"]

    public static func run(directory: String, preset: String = "veryfast") throws -> Report {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        LibavLog.errorsOnly()
        let source = (directory as NSString).appendingPathComponent("source720p30.mp4")
        try FFmpegTool.run([
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k",
            source,
        ])
        let profiles = try VideoProfile.parseList(ladder.joined(separator: ","))
        var ours = Double.infinity, theirs = Double.infinity
        var summary: TranscodeJob.Summary?
        for round in 0..<3 {
            let out = (directory as NSString).appendingPathComponent("streamflow-\(round)")
            let job = TranscodeJob(input: source, output: out, profiles: profiles, segmentSeconds: 2,
                                   options: EncoderOptions(encoder: .libx264, preset: preset))
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try job.run()
            ours = min(ours, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            summary = result
            let ffmpegOut = (directory as NSString).appendingPathComponent("ffmpeg-\(round)")
            try FileManager.default.createDirectory(atPath: ffmpegOut, withIntermediateDirectories: true)
            theirs = min(theirs, try FFmpegTool.timed(ladderArguments(source: source, profiles: profiles,
                                                                      sourceSize: (1280, 720), preset: preset, out: ffmpegOut)))
        }
        let media = summary?.mediaSeconds ?? 10
        let frames = Double(summary?.segments.reduce(0) { $0 + ($1.renditions.first?.frames ?? 0) } ?? 0)
        let ratio = ours / theirs
        return Report(mediaSeconds: media, segments: summary?.segments.count ?? 0, streamflowSeconds: ours,
                      ffmpegSeconds: theirs, framesPerSecond: frames / ours, realtimeRatio: ours / media,
                      ratioToFFmpeg: ratio, goalMet: ratio <= 1.1)
    }

    /// One decode, split, scale (bicubic, as ours), libx264 with our settings (zerolatency, no B-frames, the
    /// profile's bitrate and GOP), audio copied into every rendition, MPEG-TS out.
    static func ladderArguments(source: String, profiles: [VideoProfile], sourceSize: (Int, Int), preset: String,
                                out: String) -> [String] {
        let labels = profiles.indices.map { "s\($0)" }
        var graph = "[0:v]split=\(profiles.count)" + labels.map { "[\($0)]" }.joined() + ";"
        graph += profiles.enumerated().map { index, profile in
            let size = profile.outputSize(sourceWidth: sourceSize.0, sourceHeight: sourceSize.1)
            return "[s\(index)]scale=\(size.width):\(size.height):flags=bicubic[o\(index)]"
        }.joined(separator: ";")
        var arguments = ["-i", source, "-filter_complex", graph]
        for (index, profile) in profiles.enumerated() {
            arguments += ["-map", "[o\(index)]", "-map", "0:a?", "-c:v", "libx264", "-preset", preset, "-tune", "zerolatency",
                          "-b:v", String(profile.bitrate), "-g", String(profile.gop), "-bf", "0", "-pix_fmt", "yuv420p",
                          "-c:a", "copy", "-f", "mpegts", (out as NSString).appendingPathComponent("\(profile.name).ts")]
        }
        return arguments
    }
}

/// Runs the ffmpeg command line (from PATH), for benchmarks and test fixtures.
public enum FFmpegTool {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs ffmpeg with `-hide_banner -loglevel error -y` and the arguments; throws with its stderr on failure.
    public static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "ffmpeg exited \(process.terminationStatus): \(String(decoding: message, as: UTF8.self))")
        }
    }

    /// Seconds one run takes.
    public static func timed(_ arguments: [String]) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try run(arguments)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
