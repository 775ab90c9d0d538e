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
        print("\n9. A market on loopback: 3 orchestrators (honest, tampering, dead) and a broadcaster over gRPC + HTTPS")
        LibavLog.errorsOnly()
        let base = directory.appendingPathComponent("market").path
        let source = base + "/source.mp4"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try FFmpegTool.run(["-f", "lavfi", "-i", "testsrc2=size=426x240:rate=30", "-f", "lavfi", "-i", "sine", "-t", "6",
                            "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", source])
        var servers: [(edge: EdgeServer, rpc: RPCServer)] = []
        var urls: [String] = []
        for (name, tamper) in [("honest", false), ("tampering", true), ("dead", false)] {
            let node = try OrchestratorCommand.node(key: try PrivateKey.generate(), out: "\(base)/\(name)", pricePerPixel: 1_000,
                                                    profiles: "P144p30fps16x9", capacity: 4, tamper: tamper)
            let tls = try TLSIdentity.selfSigned(hosts: ["127.0.0.1"])
            let edge = EdgeServer(node: node, context: { OrchestratorCommand.localChain }, tls: tls)
            let edgeURL = try await edge.start()
            let rpc = RPCServer(source: OrchestratorInfoSource(node: node, context: { OrchestratorCommand.localChain },
                                                               now: EdgeServer.wallClock), hub: nil, tls: tls)
            let address = try await rpc.start()
            urls.append("\(address)")
            servers.append((edge, rpc))
            print("   \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) gRPC \(urls.last!), edge \(edgeURL)")
        }
        servers[2].edge.stop()  // dies before the stream starts
        servers[2].rpc.stop()
        try await Task.sleep(for: .milliseconds(200))
        defer { servers.forEach { $0.edge.stop(); $0.rpc.stop() } }
        let report = try await BroadcastRun.run(input: source, urls: urls, out: base + "/broadcast",
                                                profiles: try VideoProfile.parseList("P144p30fps16x9"), segmentSeconds: 2,
                                                maxPrice: 100_000)
        for line in report.lines { print("   \(line)") }
        return report.lost
    }
}
