import Benchmarks
import Edge
import EthCrypto
import Foundation
import Orchestrator
import Payments
import Drills
import StreamflowNode
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
        var nodes: [RunningNode] = []
        var urls: [String] = []
        for (name, tamper) in [("honest", false), ("tampering", true), ("dead", false)] {
            var configuration = NodeConfiguration(
                key: try PrivateKey.generate(), storage: .directory("\(base)/\(name)/.streamflow"), outputDirectory: "\(base)/\(name)",
                price: try PriceInfo(pricePerUnit: UInt256(1_000), pixelsPerUnit: .one), capacity: 4,
                profiles: try VideoProfile.parseList("P144p30fps16x9"), transcoders: .local(count: 1, capacity: 4), chain: .standalone)
            configuration.tls = try TLSIdentity.selfSigned(hosts: ["127.0.0.1"])
            if tamper { configuration.signer = FaultySigner(faults: NodeFaults(tamperRenditions: true)) }
            let running = try await RunningNode.start(try await Node.open(configuration))
            urls.append(try await running.node.broadcasterAddress())
            nodes.append(running)
            print("   \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) gRPC and HTTPS at \(urls.last!)")
        }
        try await nodes[2].stop()  // dies before the stream starts
        let report = try await BroadcastRun.run(input: source, urls: urls, out: base + "/broadcast",
                                                profiles: try VideoProfile.parseList("P144p30fps16x9"), segmentSeconds: 2,
                                                maxPrice: 100_000)
        for line in report.lines { print("   \(line)") }
        for node in nodes.prefix(2) { try await node.stop() }
        return report.lost
    }
}
