import Broadcaster
import EthCrypto
import Foundation
import HTTPTypes
import Hummingbird
import Orchestrator
import Payments
import Testing
import TestSupport
import Transcoding
import Wire
@testable import Edge

/// A small market on loopback: three orchestrators behind real gRPC and HTTP servers over TLS (self-signed) — one
/// honest, one serving tampered renditions, one dead — and a broadcaster that asks each for ticket params over
/// gRPC, pays, sends over HTTPS, verifies and fails over. No segment is lost.
@Suite("market on loopback (gRPC + TLS)", .serialized)
struct MarketTests {
    @Test("3 segments, orchestrators honest / tampering / dead: all delivered by the honest one, the others caught and suspended")
    func failover() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-market-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        LibavLog.errorsOnly()
        let source = directory + "/source.mp4"
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-f", "lavfi", "-i", "sine", "-t", "6",
                               "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", source])
        let segments = try Segmenter.split(input: source, into: directory + "/segments", seconds: 2).map {
            BroadcastSegment(seq: Int64($0.index), bytes: Array(try Data(contentsOf: URL(fileURLWithPath: $0.path))),
                             durationMs: Int32(($0.duration * 1_000).rounded()))
        }
        #expect(segments.count == 3)

        let honest = try TestOrchestrator(directory: directory + "/honest", tamper: false)
        let cheat = try TestOrchestrator(directory: directory + "/cheat", tamper: true)
        let (honestAddress, honestEdge) = try await honest.start()
        let (cheatAddress, _) = try await cheat.start()
        let cheatURL = "\(cheatAddress)"
        let honestURL = "\(honestAddress)"
        #expect(honestURL.hasPrefix("https://") && honestEdge.hasPrefix("https://"), "gRPC and the edge both over TLS")
        defer {
            honest.stop()
            cheat.stop()
        }
        let deadURL = "127.0.0.1:9"  // discard port: nothing listens
        var profile = Net_VideoProfile()
        profile.name = "P144p30fps16x9"
        profile.width = 256
        profile.height = 144
        profile.bitrate = 400_000
        profile.fps = 30
        let broadcaster = StreamBroadcaster(
            key: try PrivateKey.generate(), manifest: "market", profiles: [profile],
            candidates: [
                OrchestratorCandidate(address: honest.key.address, url: honestURL, pricePerPixel: 1_000, stake: 10),
                OrchestratorCandidate(address: cheat.key.address, url: cheatURL, pricePerPixel: 1_000, stake: 1_000),
                OrchestratorCandidate(address: try PrivateKey.generate().address, url: deadURL, pricePerPixel: 1_000, stake: 1_000),
            ],
            maxPricePerPixel: 5_000, seed: 3, scratchDirectory: directory,
            funds: (UInt256(1_000_000_000_000_000_000), UInt256(1_000_000_000_000_000_000)),
            // Roomy attempt limits: on a loaded 2-core CI machine a debug-build transcode must not become a timeout.
            policy: BroadcastPolicy(maxAttempts: 3, minimumAttemptSeconds: 60, minimumBudgetSeconds: 180))
        var failures: [(String, String)] = []
        for segment in segments {
            let outcome = await broadcaster.send(segment)
            #expect(outcome.deliveredBy == honestURL, "segment \(segment.seq): \(outcome.failures)")
            #expect(outcome.renditions.count == 1)
            failures += outcome.failures
        }
        #expect(!failures.isEmpty, "the cheat and the dead one must have been tried and caught")
        for (url, reason) in failures {
            if url == cheatURL { #expect(reason.contains("verification-failed: the result signature is not the orchestrator's")) }
            if url == deadURL { #expect(!reason.isEmpty) }
        }
    }
}
