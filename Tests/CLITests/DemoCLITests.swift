import Foundation
import Testing
import TestSupport

/// The main job and the streams benchmark as an operator runs them (short versions).
@Suite("streamflow demo and bench streams")
struct DemoCLITests {
    @Test("demo on 8 s: every segment delivered, faults caught, files on disk, the log verifies and its projections rebuild")
    func demo() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sf-demo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try StreamflowExecutable.run(["demo", "--seconds", "8", "--out", out, "--second-opinion", "0.5"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("segments delivered      4/4  (0 lost)"), "\(run.stdout)")
        #expect(run.stdout.contains("Demo finished: every segment delivered."))
        for file in ["hls/master.m3u8", "hls/P360p30fps16x9/index.m3u8", "hls/P240p30fps16x9/seg_00003.ts", "fee-report.html"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
        }
        let playlist = try String(contentsOfFile: "\(out)/hls/P240p30fps16x9/index.m3u8", encoding: .utf8)
        #expect(playlist.contains("#EXT-X-ENDLIST"))
        let verified = try StreamflowExecutable.run(["replay", "verify", "--data", "\(out)/node"])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("verify ok"), "\(verified.stdout) \(verified.stderr)")
        let rebuilt = try StreamflowExecutable.run(["replay", "rebuild", "--data", "\(out)/node"])
        #expect(rebuilt.status == 0 && !rebuilt.stdout.contains("MISMATCH"), "\(rebuilt.stdout)")
        let fees = try StreamflowExecutable.run(["report", "fees", "--data", "\(out)/node", "--by", "orchestrator"])
        #expect(fees.status == 0 && fees.stdout.contains("total"))
    }

    @Test("bench streams --control-plane: every segment delivered, the figures reported as JSON")
    func benchStreams() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-bench-\(UUID().uuidString)").path
        let run = try StreamflowExecutable.run(["bench", "streams", "--streams", "4", "--segments", "2", "--control-plane", "--json",
                                                "--directory", directory])
        #expect(run.status == 0, "\(run.stderr)")
        let start = try #require(run.stdout.firstIndex(of: "{"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout[start...].utf8)) as? [String: Any])
        #expect(report["delivered"] as? Int == 8 && report["lost"] as? Int == 0)
        #expect((report["cpuMillisecondsPerSegment"] as? Double ?? 0) > 0)
    }
}
