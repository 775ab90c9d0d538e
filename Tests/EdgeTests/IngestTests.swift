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
        #expect(try await push("/live/show/9.ts", segments[0].bytes, duration: "abc").0 == 400, "an unreadable Content-Duration")
        #expect(try await push("/live/\(String(repeating: "m", count: 300))/0.ts", segments[0].bytes).0 == 400)
        // Not video: refused before anything is paid, and no orchestrator is tried (none suspended).
        let dispatchedBefore = events.events.filter { $0.type == "segment.dispatched" }.count
        let (junkStatus, junkText) = try await push("/live/junk/0.ts", Array(String(repeating: "not video ", count: 1_800).utf8))
        #expect(junkStatus == 422 && junkText.contains("not a video segment") && !junkText.contains(directory), "\(junkText)")
        #expect(events.events.filter { $0.type == "segment.dispatched" }.count == dispatchedBefore)
        #expect(await !sessions.manifests.contains("junk"))
        // A delivered seq pushed again: the first answer, nothing sent or listed again.
        let (again, againText) = try await push("/live/show/1.ts", segments[1].bytes)
        #expect(again == 200, "\(againText)")
        #expect(events.events.filter { $0.type == "segment.dispatched" }.count == dispatchedBefore)
        // Older than the live segment: too late for the playlist.
        #expect(try await push("/live/late/1.ts", segments[1].bytes).0 == 200)
        let (late, lateText) = try await push("/live/late/0.ts", segments[0].bytes)
        #expect(late == 409 && lateText.contains("too late"), "\(lateText)")

        let (master, _) = try await URLSession.shared.data(from: URL(string: base + "/hls/show/master.m3u8")!)
        #expect(String(decoding: master, as: UTF8.self).contains("P144p30fps16x9/index.m3u8"))
        let media = base + "/hls/show/P144p30fps16x9/index.m3u8"
        let (playlist, _) = try await URLSession.shared.data(from: URL(string: media)!)
        let text = String(decoding: playlist, as: UTF8.self)
        #expect(text.contains("seg_00001.ts") && !text.contains("#EXT-X-ENDLIST"), "live until the stream ends")
        #expect(text.components(separatedBy: "seg_00001.ts").count == 2, "a duplicate push is listed once: \(text)")
        let probe = try MediaTools.probe(media, ["-show_streams", "-show_format"])
        let video = (probe["streams"] as? [[String: Any]])?.first { $0["codec_type"] as? String == "video" }
        #expect(video?["height"] as? Int == 144 && video?["codec_name"] as? String == "h264")
        // The show's segments once each (the duplicate was not sent again), and the late stream's first one.
        #expect(events.events.filter { $0.type == "segment.delivered" }.count == segments.count + 1)

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

/// The ingest's bounds and checks that need no orchestrator.
@Suite("push ingest limits")
struct IngestLimitTests {
    @Test("a body far longer than its Content-Duration, or not media, is refused before it is paid; a fair one passes")
    func mediaChecks() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-probe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clip = directory + "/six.ts"
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x90:rate=15:duration=6", "-c:v", "libx264", "-preset", "ultrafast",
                               "-f", "mpegts", clip])
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: clip)))
        #expect(IngestRoutes.checkMedia(bytes, declaredMs: 6_000, scratch: directory) == nil)
        #expect(IngestRoutes.checkMedia(bytes, declaredMs: 2_000, scratch: directory)?.contains("lasts 6.0 s") == true)
        #expect(IngestRoutes.checkMedia(Array("hello".utf8), declaredMs: 2_000, scratch: directory)?.hasPrefix("not a video segment") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["six.ts"], "probe files are removed")
    }

    @Test("at most maxStreams manifests: a new one ends and evicts the least recently pushed idle stream")
    func streamCap() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-cap-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let profiles = try VideoProfile.parseList("P144p30fps16x9")
        let sessions = StreamSessions(maxStreams: 2) { manifest in
            // No orchestrator at all: each push is lost at once, which is all this test needs.
            StreamSessions.Stream(
                broadcaster: StreamBroadcaster(key: try PrivateKey.generate(), manifest: manifest, profiles: profiles.map(\.wire),
                                               candidates: [], maxPricePerPixel: 1, seed: 1, scratchDirectory: directory,
                                               funds: (.zero, .zero)),
                output: try LiveOutput(directory: "\(directory)/\(manifest)", profiles: profiles))
        }
        let segment = BroadcastSegment(seq: 0, bytes: [0x47], durationMs: 2_000)
        for manifest in ["a", "b", "c"] { _ = try await sessions.handle(manifest: manifest, segment: segment) }
        #expect(await sessions.manifests == ["b", "c"])
        let ended = try String(contentsOfFile: "\(directory)/a/P144p30fps16x9/index.m3u8", encoding: .utf8)
        #expect(ended.contains("#EXT-X-ENDLIST"), "the evicted stream's playlist is ended")
        _ = try await sessions.handle(manifest: "b", segment: segment)
        _ = try await sessions.handle(manifest: "d", segment: segment)
        #expect(await sessions.manifests == ["b", "d"], "the least recently pushed one (c) goes first")
    }
}
