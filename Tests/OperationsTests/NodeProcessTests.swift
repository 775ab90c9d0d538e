import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// `streamflow orchestrator` as a real process: config file under flags, JSON logs, /metrics, SIGTERM → exit 0.
@Suite("streamflow orchestrator process: config, logs, metrics, shutdown")
struct NodeProcessTests {
    static func temporary(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sf-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("config values applied, --port overrides the file, GET /metrics answers, SIGTERM exits 0 and logs the shutdown")
    func configAndShutdown() async throws {
        let directory = try Self.temporary("proc")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/orchestrator.json"
        try Data(#"{"port": 8935, "price-per-pixel": 777, "capacity": 3, "profiles": ["P144p30fps16x9"], "log-format": "json"}"#.utf8)
            .write(to: URL(fileURLWithPath: config))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: StreamflowExecutable.path)
        process.arguments = ["orchestrator", "--config", config, "--port", "0", "--no-tls", "--out", directory + "/out"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stderr = Collected(errors.fileHandleForReading)
        defer { if process.isRunning { process.terminate() } }

        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let range = try #require(text.range(of: "serving at "), "no URL in \(text) / \(stderr.text())")
        let address = String(text[range.upperBound...].prefix { !$0.isWhitespace })
        #expect(!address.hasSuffix(":8935"), "--port 0 on the command line wins over the file's 8935")
        let edge = try #require(text.range(of: "HTTP edge "), "no edge URL in \(text)")
        let url = String(text[edge.upperBound...].prefix { !$0.isWhitespace && $0 != "," && $0 != ";" })
        let (data, response) = try await URLSession.shared.data(from: URL(string: url + "/metrics")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).contains("streamflow_orchestrator_segments_received_total 0"))

        let started = Date()
        process.terminate()  // SIGTERM
        while process.isRunning, Date().timeIntervalSince(started) < 10 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning)
        // Seconds when the machine is idle; the bound is wide because CI runs every suite at once on 2 cores.
        #expect(Date().timeIntervalSince(started) < 45, "graceful shutdown, not the 30 s drain limit plus a kill")
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)

        let records = stderr.text().split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
        let startLine = try #require(records.first { $0["msg"] == "orchestrator starting" }, "\(stderr.text())")
        #expect(startLine["price-per-pixel"] == "777" && startLine["capacity"] == "3" && startLine["profiles"] == "P144p30fps16x9")
        #expect(records.contains { $0["msg"] == "listening" && $0["component"] == "orchestrator" && $0["url"] == url })
        #expect(records.contains { $0["msg"] == "shutdown complete" && $0["level"] == "info" })
    }

    @Test("an unknown key or a wrong type exits 64 naming the key; every option of the command is a known key")
    func badConfig() throws {
        let directory = try Self.temporary("badconfig")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func run(_ command: String, _ json: String) throws -> StreamflowExecutable.Outcome {
            let path = directory + "/c.json"
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            return try StreamflowExecutable.run([command, "--config", path, "--out", directory] + (command == "broadcast" ? ["in.mp4"] : []))
        }
        let unknown = try run("orchestrator", #"{"prot": 9000}"#)
        #expect(unknown.status == 64 && unknown.stderr.contains(#"unknown key "prot""#), "\(unknown.stderr)")
        let wrong = try run("orchestrator", #"{"port": "9000"}"#)
        #expect(wrong.status == 64 && wrong.stderr.contains(#"key "port" must be an integer"#), "\(wrong.stderr)")
        let price = try run("broadcast", #"{"max-price-per-pixel": "cheap"}"#)
        #expect(price.status == 64 && price.stderr.contains(#"key "max-price-per-pixel" must be a number"#), "\(price.stderr)")

        // Each long option the commands declare is a config key: null is never a valid value, so a known key is refused
        // for its type, never as unknown.
        for command in ["orchestrator", "broadcast"] {
            let help = try StreamflowExecutable.run([command, "--experimental-dump-help"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(help.stdout.utf8)) as? [String: Any])
            let arguments = try #require((object["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
            let names = arguments.compactMap { ($0["preferredName"] as? [String: Any])?["name"] as? String }
                .filter { !["help", "config", "version", "input"].contains($0) }
            #expect(names.count >= 6)
            for name in names {
                let outcome = try run(command, "{\"\(name)\": null}")
                #expect(outcome.status == 64 && outcome.stderr.contains("key \"\(name)\" must be"), "\(command) \(name): \(outcome.stderr)")
            }
        }
    }
}

/// Everything a pipe delivers, read on a thread until it closes.
final class Collected: @unchecked Sendable {
    // @unchecked: `data` is guarded by `lock`.
    private let lock = NSLock()
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                self.lock.withLock { self.data.append(chunk) }
            }
        }.start()
    }

    func text() -> String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
