import Benchmarks
import Edge
import EthCrypto
import Foundation
import Orchestrator
import Payments
import Transcoding

/// The demo's market section: three orchestrators on loopback — honest, tampering (a labelled fault), and
/// one that dies before the stream starts — and a broadcaster streaming 6 s of 240p through them, paying,
/// verifying and failing over. Returns the segments lost (the demo fails if any is).
enum DemoMarket {
    static func run(directory: URL) async throws -> Int {
        print("\n9. A market on loopback: 3 orchestrators (honest, tampering, dead) and a broadcaster over HTTP")
        LibavLog.errorsOnly()
        let base = directory.appendingPathComponent("market").path
        let source = base + "/source.mp4"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try FFmpegTool.run(["-f", "lavfi", "-i", "testsrc2=size=426x240:rate=30", "-f", "lavfi", "-i", "sine", "-t", "6",
                            "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", source])
        var servers: [EdgeServer] = []
        var urls: [String] = []
        for (name, tamper) in [("honest", false), ("tampering", true), ("dead", false)] {
            let node = try OrchestratorCommand.node(key: try PrivateKey.generate(), out: "\(base)/\(name)", pricePerPixel: 1_000,
                                                    profiles: "P144p30fps16x9", capacity: 4, tamper: tamper)
            let server = EdgeServer(node: node, context: { OrchestratorCommand.localChain })
            urls.append(try await server.start())
            servers.append(server)
            print("   \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(urls.last!)")
        }
        servers[2].stop()  // dies before the stream starts
        try await Task.sleep(for: .milliseconds(200))
        defer { servers.forEach { $0.stop() } }
        let report = try await BroadcastRun.run(input: source, urls: urls, out: base + "/broadcast",
                                                profiles: try VideoProfile.parseList("P144p30fps16x9"), segmentSeconds: 2,
                                                maxPrice: 100_000)
        for line in report.lines { print("   \(line)") }
        return report.lost
    }
}
