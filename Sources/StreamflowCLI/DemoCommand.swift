import ArgumentParser
import Benchmarks
import EthCrypto
import Foundation
import NativeLibraries

/// `streamflow demo`: the main job. Until the node exists it runs what there is — the linked
/// libraries, a keystore round trip, a signed and recovered message, the crypto benchmark — and says so.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run the main job (today: the foundation pieces that exist).")

    func run() throws {
        print("Streamflow demo — the node (broadcaster, orchestrators, transcoders, settlement) is not built yet;")
        print("this runs the foundation that exists: C libraries, Ethereum keys and signatures, the crypto benchmark.\n")
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

        print("\n4. Crypto benchmark (quick run; `streamflow bench crypto` for the full one)")
        let report = try CryptoBenchmark.run(scale: 0.2)
        for m in report.measurements {
            print("   " + m.name.padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(format: "%9.1f ns/op", m.nanosecondsPerOperation))
        }
        print(String(format: "   recover overhead %.3f×, keccak256 1 KiB %.0f MB/s", report.recoverOverheadRatio,
                     report.keccak1KiBMegabytesPerSecond))
        print("\nDemo finished.")
    }
}
