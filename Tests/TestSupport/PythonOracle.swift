public import Foundation

/// Runs Python code in the project virtualenv (`.venv`, created by `make setup`), whose packages
/// (eth-account, eth-hash, coincurve, jsonschema) are implementations no one here wrote.
public enum PythonOracle {
    /// The package root, found from this file's path (Tests/TestSupport/…).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The virtualenv's interpreter; `STREAMFLOW_PYTHON` overrides it.
    public static var interpreter: String {
        if let override = ProcessInfo.processInfo.environment["STREAMFLOW_PYTHON"] { return override }
        return packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `script` (a Python source text) with `input` on stdin and returns its stdout.
    /// Throws with stderr when the interpreter is missing or the script exits non-zero.
    public static func run(script: String, input: Data = Data(), arguments: [String] = []) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            throw Failure(description: "no Python at \(interpreter): run `make setup` (creates .venv)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-c", script] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write stdin and drain stdout/stderr concurrently so large payloads cannot deadlock.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorBox = DataBox()
        let errorReader = Thread { errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorBox.done { usleep(1000) }
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errorBox.data, as: UTF8.self)
            throw Failure(description: "python exited \(process.terminationStatus): \(message)")
        }
        return output
    }

    /// Runs `script`, sending `value` as JSON on stdin and decoding its stdout as JSON.
    public static func json<In: Encodable, Out: Decodable>(script: String, input value: In, as: Out.Type) throws -> Out {
        let data = try run(script: script, input: JSONEncoder().encode(value))
        return try JSONDecoder().decode(Out.self, from: data)
    }
}

/// A one-shot buffer filled by a reader thread (test-only; guarded by a lock).
private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = Data()
    private var finished = false
    var data: Data {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue; finished = true } }
    }
    var done: Bool { lock.withLock { finished } }
}

/// Runs the built `streamflow` executable (from `swift build`; `STREAMFLOW_BIN` overrides the path).
public enum StreamflowExecutable {
    /// What one run printed and how it ended.
    public struct Outcome: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// True when the process exited on its own (not killed by a signal such as a crash).
        public let exitedNormally: Bool
    }

    public static var path: String {
        ProcessInfo.processInfo.environment["STREAMFLOW_BIN"]
            ?? PythonOracle.packageRoot.appendingPathComponent(".build/debug/streamflow").path
    }

    /// Runs `streamflow arguments…` with `stdin` and extra environment; waits for it to end.
    /// `run` on a thread of its own (`OffPool`): for a test's long runs, which would otherwise hold one of the cooperative
    /// pool's few threads while every suite beside it waits.
    public static func runOffPool(_ arguments: [String], stdin: String = "", environment: [String: String] = [:]) async throws -> Outcome {
        try await OffPool.run { try run(arguments, stdin: stdin, environment: environment) }
    }

    public static func run(_ arguments: [String], stdin: String = "", environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "STREAMFLOW_PASSWORD")
        env.merge(environment) { _, new in new }
        process.environment = env
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
        let errorBox = DataBox()
        let errorReader = Thread { errorBox.data = error.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorBox.done { usleep(1000) }
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: errorBox.data, as: UTF8.self),
            exitedNormally: process.terminationReason == .exit)
    }
}
