public import Foundation
import Synchronization

/// A real EVM for one test: py-evm (eth-tester) behind the JSON-RPC server in Tests/Support/devchain/devchain.py,
/// with Livepeer's own contract bytecode deployed from the vendored artifacts. Its stdin is a pipe this object holds,
/// so the chain exits when the test process does. Labelled test plumbing: the contracts and the EVM are real.
public final class DevChain: @unchecked Sendable {
    // @unchecked: every stored property is set once in init and only read afterwards.
    public struct Account: Sendable {
        public let address: String
        public let privateKey: String
    }

    public let rpcURL: String
    public let chainID: UInt64
    public let controller: String
    /// Contract addresses by name (TicketBroker is the proxy's address).
    public let contracts: [String: String]
    public let roundLength: UInt64
    /// accounts[0] deploys and holds the minter role; tests transact from the others.
    public let accounts: [Account]
    public let logPath: String
    private let process = Process()
    private let stdin = Pipe()
    private let released = Mutex(false)

    /// One dev chain at a time in the test process: py-evm is CPU-heavy, and the suites run in parallel beside tests
    /// that start servers against a deadline on a 2-core machine. A test holds the lease from `init` until `stop()`.
    private static let lease = TestLease()

    /// `arguments` go to devchain.py as well (e.g. `--block-time 0.5` for a chain that moves on its own).
    public convenience init(roundLength: Int = 50, accounts: Int = 6, arguments: [String] = []) async throws {
        await Self.lease.acquire()
        do {
            try await self.init(leased: roundLength, accounts: accounts, arguments: arguments)
        } catch {
            await Self.lease.release()
            throw error
        }
    }

    private init(leased roundLength: Int, accounts: Int, arguments: [String]) async throws {
        let script = PythonOracle.packageRoot.appendingPathComponent("Tests/Support/devchain/devchain.py").path
        guard FileManager.default.isExecutableFile(atPath: PythonOracle.interpreter) else {
            throw PythonOracle.Failure(description: "no Python at \(PythonOracle.interpreter): run `make setup`")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("devchain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let outPath = directory.appendingPathComponent("stdout").path
        logPath = directory.appendingPathComponent("stderr").path
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: PythonOracle.interpreter)
        process.arguments = [script, "--port", "0", "--round-length", "\(roundLength)", "--accounts", "\(accounts)", "--stdin-watch", "on"] + arguments
        process.standardInput = stdin
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var line: String?
        // Read before judging the deadline: a task resumed late (a busy machine) still finds a line written in time.
        while true {
            let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            if let first = text.split(separator: "\n").first, text.contains("\n") { line = String(first); break }
            guard Date() < deadline, process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let line, let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let rpc = object["rpc"] as? String, let chainID = object["chainId"] as? NSNumber,
              let controller = object["controller"] as? String, let contracts = object["contracts"] as? [String: String],
              let roundLength = object["roundLength"] as? NSNumber, let list = object["accounts"] as? [[String: String]] else {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if process.isRunning { process.terminate() }
            throw PythonOracle.Failure(description: "the dev chain did not start: \(log.suffix(2000))")
        }
        rpcURL = rpc
        self.chainID = chainID.uint64Value
        self.controller = controller
        self.contracts = contracts
        self.roundLength = roundLength.uint64Value
        self.accounts = list.compactMap { item in
            guard let address = item["address"], let key = item["privateKey"] else { return nil }
            return Account(address: address, privateKey: key)
        }
    }

    /// The stderr log so far (for a failing test's message).
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Stops the chain: closes its stdin (it exits on EOF), SIGTERM after 5 s, SIGKILL after 10 s; frees the lease.
    public func stop() {
        defer {
            if released.withLock({ done in defer { done = true }; return !done }) { Task { await Self.lease.release() } }
        }
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline {
            if deadline.timeIntervalSinceNow < 5 { process.terminate() }
            usleep(20_000)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        if released.withLock({ done in defer { done = true }; return !done }) { Task { await Self.lease.release() } }
    }
}

/// A one-holder async lock for test resources (waiters resume in order).
actor TestLease {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { held = false } else { waiters.removeFirst().resume() }
    }
}
