import ArgumentParser
import Audit
import Benchmarks
import EthCrypto
import EventLog
import Foundation
import Projections
import LMDB
import NativeLibraries
import Scenarios
import Transcoding

/// `streamflow demo`: the main job — a broadcaster streaming through 4 orchestrators on a local chain
/// (`NodeDemo`), or on a real one with `--eth-rpc` (Livepeer's contracts, e.g. `make dev-chain`); `--tour` instead walks through the pieces one by one (libraries, keys, the log and its
/// audits, tickets, transcoding, settlement, a small market).
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the main job: stream through 4 orchestrators on a local chain, verify, fail over, settle; summary and files.")

    @Option(help: "Where the HLS output, fee report and event log go (replaced).") var out = "demo-output"
    @Option(help: "Stream this file instead of a generated 720p test pattern.") var input: String?
    @Option(help: "Seconds of generated source.") var seconds = 60
    @Option(help: "Renditions.") var profiles = "P360p30fps16x9,P240p30fps16x9"
    @Option(help: "Share of segments sent to a second orchestrator and compared by PSNR.") var secondOpinion = 0.1
    @Flag(help: "Walk through the pieces one by one instead (libraries, keys, log, tickets, transcoding, settlement).") var tour = false
    @Option(help: "Run the market on a real chain: its JSON-RPC URL (make dev-chain starts one with Livepeer's contracts). Needs --eth-controller and --eth-keys.")
    var ethRpc: String?
    @Option(help: "With --eth-rpc: Livepeer's Controller address.") var ethController: String?
    @Option(help: "With --eth-rpc: a JSON file of 5 funded accounts' private keys (the line scripts/dev-chain prints will do): the broadcaster, then 4 orchestrators. Test keys only.")
    var ethKeys: String?

    func validate() throws {
        guard (ethRpc == nil) == (ethController == nil), (ethRpc == nil) == (ethKeys == nil) else {
            throw ValidationError("--eth-rpc, --eth-controller and --eth-keys go together")
        }
        if let ethController, (try? Address(ethController)) == nil { throw ValidationError("--eth-controller is not an address") }
        guard ethRpc == nil || !tour else { throw ValidationError("--tour runs on the embedded chain; drop --eth-rpc") }
    }

    func run() async throws {
        guard tour else {
            var ethereum: EthDemoMarket.Settings?
            if let ethRpc, let ethController, let ethKeys {
                ethereum = EthDemoMarket.Settings(rpcURL: ethRpc, controller: try Address(ethController), keys: try EthDemoAccounts.read(ethKeys))
            }
            let lost = try await NodeDemo.run(NodeDemo.Options(out: out, input: input, seconds: seconds,
                                                               profiles: try VideoProfile.parseList(profiles),
                                                               secondOpinionRate: secondOpinion, ethereum: ethereum))
            if lost > 0 {
                print("\nDemo FAILED: \(lost) segments lost.")
                throw ExitCode(1)
            }
            print("\nDemo finished: every segment delivered.")
            return
        }
        print("Streamflow tour: C libraries, keys and signatures, the event log and its audits, tickets, transcoding,")
        print("settlement on the embedded chain, and a small market over HTTP on loopback.\n")
        print("1. Linked C libraries")
        for library in NativeLibraries.versions() { print("   \(library.name): \(library.version)") }
        print("   libx264 encoder: \(NativeLibraries.hasEncoder(named: "libx264") ? "present" : "missing")")

        print("\n2. An orchestrator key in a keystore v3 file (light scrypt, throwaway password)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamflow-demo-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try PrivateKey.generate()
        let json = try Keystore.encrypt(key, password: "demo-password", kdf: .light)
        let file = directory.appendingPathComponent("orchestrator.json")
        try Data(json.utf8).write(to: file)
        let reopened = try Keystore.decrypt(json: String(decoding: try Data(contentsOf: file), as: UTF8.self),
                                            password: "demo-password")
        print("   address \(reopened.address.checksummed), reopened from \(file.lastPathComponent)")

        print("\n3. A signed 32-byte message (as tickets are signed) and its recovered signer")
        let message = Keccak256.hash(Array("segment 0 of stream demo".utf8))
        let signature = try reopened.signMessage(message.bytes)
        print("   message   \(message.hex)")
        print("   signature \(signature.hex)")
        print("   recovered \(try signature.recoverSigner(message: message.bytes).checksummed)")
        do {
            var tampered = signature.bytes
            tampered[64] = 29
            _ = try Signature(bytes: tampered)
        } catch {
            print("   a tampered V is refused: \(error)")
        }

        try eventLogSection(directory: directory)
        try DemoPayments.run(directory: directory)
        try DemoTranscode.run(directory: directory)
        try await DemoSettlement.run(directory: directory)
        let lost = try await DemoMarket.run(directory: directory)

        print("\n10. Crypto benchmark (quick run; `streamflow bench crypto` for the full one)")
        let report = try CryptoBenchmark.run(scale: 0.2)
        for m in report.measurements {
            print("   " + m.name.padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(format: "%9.1f ns/op", m.nanosecondsPerOperation))
        }
        print(String(format: "   recover overhead %.3f×, keccak256 1 KiB %.0f MB/s", report.recoverOverheadRatio,
                     report.keccak1KiBMegabytesPerSecond))
        if lost > 0 {
            print("\nDemo FAILED: \(lost) segments lost.")
            throw ExitCode(1)
        }
        print("\nDemo finished.")
    }

    /// The reference scenario written to a fresh log, then audited as an operator would.
    private func eventLogSection(directory: URL) throws {
        print("\n4. The event log: the reference scenario (2 streams, 3 orchestrators, one tampered result)")
        let logDirectory = directory.appendingPathComponent("log").path
        let log = try EventLog(directory: logDirectory, options: .init(durability: .noSync))
        let events = try ReferenceScenario.events().map { try PreparedEvent($0) }
        _ = try log.appendAndWait(events)
        print("   appended \(events.count) schema-checked events; head \(log.head.sequence) \(log.head.hash)")
        try ProjectionHost(log: log).catchUp()
        let report = try LogVerifier.verify(log)
        print("   verify: \(report.passed ? "ok" : "FAILED"), \(report.events) events, \(report.signatures) signatures checked")
        for result in try ProjectionRebuild.run(log) {
            print("   rebuild \(result.name): \(result.matches ? "byte-identical" : "MISMATCH")")
        }
        print("   timeline of stream-beta (first 12 lines):")
        for line in try StreamTimeline.lines(log, stream: "stream-beta").prefix(12) { print("     \(line)") }
        log.close()
    }
}
