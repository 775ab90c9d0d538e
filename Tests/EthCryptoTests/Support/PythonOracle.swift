import Foundation

/// Runs Python code in the project virtualenv (`.venv`, created by `make setup`), whose packages
/// (eth-account, eth-hash, coincurve, jsonschema) are implementations no one here wrote.
enum PythonOracle {
    /// The package root, found from this file's path (Tests/EthCryptoTests/Support/…).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The virtualenv's interpreter; `STREAMFLOW_PYTHON` overrides it.
    static var interpreter: String {
        if let override = ProcessInfo.processInfo.environment["STREAMFLOW_PYTHON"] { return override }
        return packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `script` (a Python source text) with `input` on stdin and returns its stdout.
    /// Throws with stderr when the interpreter is missing or the script exits non-zero.
    static func run(script: String, input: Data = Data()) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            throw Failure(description: "no Python at \(interpreter): run `make setup` (creates .venv)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-c", script]
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
    static func json<In: Encodable, Out: Decodable>(script: String, input value: In, as: Out.Type) throws -> Out {
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
