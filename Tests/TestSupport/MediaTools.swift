public import Foundation

/// The ffmpeg and ffprobe command-line tools (installed by `make setup`): test media is generated with
/// ffmpeg and every output is checked with ffprobe, implementations no one here wrote.
public enum MediaTools {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Runs a tool from PATH; returns (status, stdout, stderr).
    public static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        try requireTool(tool)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorBox = ErrorCollector()
        let reader = Thread { errorBox.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data, errorBox.waitText())
    }

    /// Where each tool the tests call comes from, so a missing one fails naming the setup step that installs it.
    static let setupSteps = ["ffmpeg": "scripts/setup-machine.sh (Debian ffmpeg)", "ffprobe": "scripts/setup-machine.sh (Debian ffmpeg)",
                             "protoc": "scripts/setup-machine.sh (Debian protobuf-compiler)", "sh": "the base system"]

    /// Throws, naming the tool and its setup step, when `tool` is not on PATH.
    public static func requireTool(_ tool: String) throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let found = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
        guard found else {
            throw Failure(description: "\(tool) is not on PATH: run `make setup` (\(setupSteps[tool] ?? "scripts/setup-*.sh") installs it)")
        }
    }

    /// ffmpeg -y with `arguments`; throws with ffmpeg's stderr when it fails.
    public static func ffmpeg(_ arguments: [String]) throws {
        let result = try run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y"] + arguments)
        guard result.status == 0 else { throw Failure(description: "ffmpeg failed: \(result.stderr)") }
    }

    /// ffprobe's JSON for `path` with `entries` (e.g. "stream=codec_name,width,height").
    public static func probe(_ path: String, _ extra: [String]) throws -> [String: Any] {
        let result = try run("ffprobe", ["-v", "error", "-of", "json"] + extra + [path])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] else {
            throw Failure(description: "ffprobe failed on \(path): \(result.stderr)")
        }
        return object
    }

    /// The average PSNR (dB) of `path` against `reference` scaled to `width`×`height` the same way (bicubic).
    public static func psnr(_ path: String, reference: String, width: Int, height: Int) throws -> Double {
        let result = try run("ffmpeg", [
            "-hide_banner", "-i", path, "-i", reference, "-lavfi",
            "[1:v]scale=\(width):\(height):flags=bicubic[ref];[0:v][ref]psnr", "-f", "null", "-",
        ])
        guard let range = result.stderr.range(of: "average:") else {
            throw Failure(description: "no PSNR in ffmpeg's output: \(result.stderr.suffix(500))")
        }
        let digits = result.stderr[range.upperBound...].prefix { !$0.isWhitespace }
        if digits == "inf" { return .infinity }
        guard let value = Double(digits) else { throw Failure(description: "unreadable PSNR \(digits)") }
        return value
    }
}

/// Collects a reader thread's bytes (guarded by a condition).
private final class ErrorCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    func set(_ value: Data) { condition.withLock { data = value; condition.broadcast() } }

    func waitText() -> String {
        condition.lock()
        while data == nil { condition.wait() }
        let text = String(decoding: data!, as: UTF8.self)
        condition.unlock()
        return text
    }
}
