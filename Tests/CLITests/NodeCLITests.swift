import Foundation
import Testing
import TestSupport

/// `streamflow orchestrator` and `streamflow broadcast` as separate processes talking HTTP on loopback.
@Suite("streamflow orchestrator / broadcast")
struct NodeCLITests {
    /// Starts an orchestrator process on a free port; returns it and its URL.
    static func orchestrator(out: String, extra: [String] = []) throws -> (Process, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: StreamflowExecutable.path)
        process.arguments = ["orchestrator", "--port", "0", "--out", out] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date(timeIntervalSinceNow: 20)
        while !text.contains("\n"), Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "serving at ") else {
            process.terminate()
            throw MediaTools.Failure(description: "orchestrator did not start: \(text)")
        }
        let url = String(text[range.upperBound...].prefix { !$0.isWhitespace })
        return (process, url)
    }

    @Test("two orchestrators (one tampering) and a broadcast: every segment delivered by the honest one, HLS written")
    func broadcast() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-node-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/in.mp4"
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-f", "lavfi", "-i", "sine", "-t", "4",
                               "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", input])
        let (honest, honestURL) = try Self.orchestrator(out: directory + "/o1")
        let (cheat, cheatURL) = try Self.orchestrator(out: directory + "/o2", extra: ["--tamper-renditions"])
        defer {
            honest.terminate()
            cheat.terminate()
        }
        let run = try StreamflowExecutable.run(["broadcast", input, "--orchestrators", "\(cheatURL),\(honestURL)",
                                                "--out", directory + "/b"])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("2 segments: 2 delivered, 0 lost"))
        #expect(run.stdout.contains("\(honestURL) delivered 2"))
        #expect(FileManager.default.fileExists(atPath: directory + "/b/master.m3u8"))
        let playlist = try String(contentsOfFile: directory + "/b/P144p30fps16x9/index.m3u8", encoding: .utf8)
        #expect(playlist.contains("seg_00001.ts") && playlist.contains("#EXT-X-ENDLIST"))
        // With only the tampering one, nothing can be delivered: exit 1, each failure named.
        let alone = try StreamflowExecutable.run(["broadcast", input, "--orchestrators", cheatURL, "--out", directory + "/c"])
        #expect(alone.status == 1)
        #expect(alone.stdout.contains("0 delivered, 2 lost") && alone.stdout.contains("verification-failed"))
    }
}

/// Operator errors found at start, before anything is served.
@Suite("start-up checks")
struct StartupCheckTests {
    @Test("an --out that cannot be written is named at start by orchestrator and broadcaster")
    func unwritableOut() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sf-notadir-\(UUID().uuidString)").path
        try Data("a file, not a directory".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        for command in [["orchestrator", "--port", "0", "--no-tls"], ["broadcaster", "--port", "0", "--orchestrators", "127.0.0.1:9"]] {
            let result = try StreamflowExecutable.run(command + ["--out", file + "/out"])
            #expect(result.status == 1 && result.stderr.contains("--out \(file)/out is not a writable directory"),
                    "\(command[0]): \(result.stderr)")
        }
    }

    @Test("a clean SIGTERM stops orchestrator and broadcaster with status 0 and no error-level line")
    func cleanStop() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-stop-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, command, ready) in [("orchestrator", ["orchestrator", "--port", "0"], "listening"),
                                       ("broadcaster", ["broadcaster", "--port", "0", "--orchestrators", "https://127.0.0.1:9"], "ingest at")] {
            let child = try ChildProcess.streamflow(command + ["--out", "\(directory)/\(name)"], outputPath: "\(directory)/\(name).txt")
            #expect(await child.waitFor(ready, seconds: 60), "\(name): \(child.output)")
            #expect(child.stop() == 0, "\(name): \(child.output)")
            #expect(!child.output.contains("level=error") && !child.output.contains(" error "), "\(name): \(child.output)")
        }
    }
}
