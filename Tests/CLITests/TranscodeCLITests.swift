import Foundation
import Testing
import TestSupport

/// `streamflow transcode` as an operator runs it: renditions, playlists and summary.json; clear errors.
@Suite("streamflow transcode")
struct TranscodeCLITests {
    @Test("writes renditions, master and media playlists, and a summary whose pixels ffprobe confirms")
    func transcode() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-tc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/in.mp4"
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
                               "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p",
                               "-c:a", "aac", input])
        let out = directory + "/out"
        let run = try StreamflowExecutable.run(["transcode", input, "--profiles", "P240p30fps16x9,P144p30fps16x9",
                                                "--out", out, "--segment-seconds", "1", "--live-window", "2", "--cpu"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("4 segments"))
        let master = try String(contentsOfFile: out + "/master.m3u8", encoding: .utf8)
        #expect(master.contains("RESOLUTION=426x240") && master.contains("P144p30fps16x9/index.m3u8"))
        let live = try String(contentsOfFile: out + "/P240p30fps16x9/live.m3u8", encoding: .utf8)
        #expect(live.components(separatedBy: ".ts").count - 1 == 2)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any])
        let segments = try #require(summary["segments"] as? [[String: Any]])
        #expect(segments.count == 4)
        for segment in segments {
            #expect((segment["realtimeRatio"] as? Double ?? -1) > 0)
            for rendition in segment["renditions"] as? [[String: Any]] ?? [] {
                let file = try #require(rendition["file"] as? String)
                let probe = try MediaTools.probe(file, ["-count_frames", "-select_streams", "v",
                                                        "-show_entries", "stream=width,height,nb_read_frames"])
                let stream = try #require((probe["streams"] as? [[String: Any]])?.first)
                let frames = Int(stream["nb_read_frames"] as? String ?? "") ?? -1
                let pixels = frames * (stream["width"] as? Int ?? 0) * (stream["height"] as? Int ?? 0)
                #expect(rendition["pixels"] as? Int == pixels)
            }
        }
    }

    @Test("unknown profile and unreadable input: one line on stderr, exit 1")
    func errors() throws {
        let unknown = try StreamflowExecutable.run(["transcode", "/dev/null", "--profiles", "P9000p", "--out", "/tmp/sf-x"])
        #expect(unknown.status == 1 && unknown.stderr.contains("unknown profile P9000p"))
        let missing = try StreamflowExecutable.run(["transcode", "/nonexistent.mp4", "--profiles", "P240p30fps16x9",
                                                    "--out", "/tmp/sf-x"])
        #expect(missing.status == 1 && missing.stderr.contains("cannot open /nonexistent.mp4"))
    }
}
