import Broadcaster
import EthCrypto
import EventModel
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Orchestrator
import Payments
import Testing
import TestSupport
import Transcoding
@testable import Edge

/// A broadcaster node's HTTP side: segments pushed to /live/{manifest}/{seq}.ts go through a real
/// orchestrator, and the live HLS it serves plays in ffprobe over HTTP; bad pushes get a 400, and a
/// segment no orchestrator can take gets a 503.
@Suite("push ingest and live HLS", .serialized)
struct IngestTests {
    @Test("3 pushed segments → 200 each; /hls serves master and media playlists that ffprobe reads over HTTP")
    func pushAndPlay() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-ingest-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let segments = FailureTests.segments
        let key = try PrivateKey.generate()
        let node = try OrchestratorNode(
            key: key, recipient: TicketRecipient(validator: TicketValidator(recipient: key.address, secret: try RecipientSecret.generate())),
            authSecret: Array("ingest".utf8), price: try PriceInfo(pricePerUnit: UInt256(1_000), pixelsPerUnit: .one), capacity: 4,
            outputDirectory: directory + "/orchestrator", profiles: try VideoProfile.parseList("P144p30fps16x9"), publicURL: "")
        let edge = try OrchestratorEndpoints(node: node, tls: false, context: { FailureTests.chain })
        let orchestratorURL = try await edge.start()
        defer { edge.stop() }
        let profiles = try VideoProfile.parseList("P144p30fps16x9")
        let events = CollectingSink()
        let box = URLBox(orchestratorURL)
        let sessions = StreamSessions { manifest in
            StreamSessions.Stream(
                broadcaster: StreamBroadcaster(
                    key: try PrivateKey.generate(), manifest: manifest, profiles: profiles.map(\.wire),
                    candidates: [OrchestratorCandidate(address: key.address, url: box.url, pricePerPixel: 1_000, stake: 1)],
                    maxPricePerPixel: 5_000, seed: 1, scratchDirectory: directory,
                    funds: (UInt256(1_000_000_000_000_000_000), UInt256(1_000_000_000_000_000_000)),
                    // Roomy limits: a loaded CI machine must not turn a slow transcode into a lost segment here.
                    policy: BroadcastPolicy(maxAttempts: 1, minimumAttemptSeconds: 60, minimumBudgetSeconds: 120), events: events),
                output: try LiveOutput(directory: "\(directory)/hls/\(manifest)", profiles: profiles))
        }
        let ingest = IngestServer(sessions: sessions, outputDirectory: directory + "/hls")
        let base = try await ingest.start()
        defer { ingest.stop() }

        func push(_ path: String, _ body: [UInt8], duration: String = "2000", method: String = "PUT") async throws -> (Int, String) {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            request.setValue(duration, forHTTPHeaderField: "Content-Duration")
            let (data, response) = try await URLSession.shared.upload(for: request, from: Data(body))
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }

        for (index, segment) in segments.enumerated() {
            let (status, text) = try await push("/live/show/\(index).ts", segment.bytes, method: index == 0 ? "PUT" : "POST")
            #expect(status == 200, "\(text)")
        }
        #expect(try await push("/live/show/abc.ts", segments[0].bytes).0 == 400)
        #expect(try await push("/live/show/9.ts", []).0 == 400)
        #expect(try await push("/live/show/9.ts", segments[0].bytes, duration: "0").0 == 400)
        #expect(try await push("/live/..%2Fetc/9.ts", segments[0].bytes).0 == 400)

        let (master, _) = try await URLSession.shared.data(from: URL(string: base + "/hls/show/master.m3u8")!)
        #expect(String(decoding: master, as: UTF8.self).contains("P144p30fps16x9/index.m3u8"))
        let media = base + "/hls/show/P144p30fps16x9/index.m3u8"
        let (playlist, _) = try await URLSession.shared.data(from: URL(string: media)!)
        let text = String(decoding: playlist, as: UTF8.self)
        #expect(text.contains("seg_00001.ts") && !text.contains("#EXT-X-ENDLIST"), "live until the stream ends")
        let probe = try MediaTools.probe(media, ["-show_streams", "-show_format"])
        let video = (probe["streams"] as? [[String: Any]])?.first { $0["codec_type"] as? String == "video" }
        #expect(video?["height"] as? Int == 144 && video?["codec_name"] as? String == "h264")
        #expect(events.events.filter { $0.type == "segment.delivered" }.count == segments.count)

        // The only orchestrator gone: the next segment is lost and says so with a 503.
        edge.stop()
        try await Task.sleep(for: .milliseconds(300))
        let (status, body) = try await push("/live/show/2.ts", segments[0].bytes)
        #expect(status == 503 && body.contains("lost"), "\(body)")
        await sessions.finishAll()
        let final = try String(contentsOfFile: "\(directory)/hls/show/P144p30fps16x9/index.m3u8", encoding: .utf8)
        #expect(final.contains("#EXT-X-ENDLIST"))
    }
}

/// The orchestrator URL the stream factory reads (set before any stream is made).
final class URLBox: Sendable {
    let url: String
    init(_ url: String) { self.url = url }
}
