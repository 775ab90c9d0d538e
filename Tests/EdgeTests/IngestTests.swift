import Broadcaster
import EthCrypto
import EventModel
import Foundation
import JSONCore
import Synchronization
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

        // A restart: the stream's events (what a broadcaster's log holds) give back what it published, and a
        // LiveOutput made from them writes the very playlist players were reading.
        var history = PublishedSegments()
        for envelope in events.events where envelope.keys.stream == "show" { history.apply(envelope) }
        #expect(history.inOrder.map(\.seq) == Array(0..<Int64(segments.count)))
        #expect(history.inOrder.allSatisfy { $0.by == key.address.checksummed && $0.durationMs == 2_000 })
        _ = try LiveOutput(directory: "\(directory)/hls/show", profiles: profiles, resuming: history.inOrder)
        #expect(try String(contentsOfFile: "\(directory)/hls/show/P144p30fps16x9/index.m3u8", encoding: .utf8) == text)

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

    /// A stream whose pushes are all lost at once (no orchestrator), for tests of the session table alone.
    static func lostStream(_ manifest: String, directory: String, candidates: [OrchestratorCandidate] = [],
                           policy: BroadcastPolicy? = nil,
                           published: [PublishedSegments.Segment] = []) throws -> StreamSessions.Stream {
        let profiles = try VideoProfile.parseList("P144p30fps16x9")
        return StreamSessions.Stream(
            broadcaster: StreamBroadcaster(key: try PrivateKey.generate(), manifest: manifest, profiles: profiles.map(\.wire),
                                           candidates: candidates, maxPricePerPixel: 1, seed: 1, scratchDirectory: directory,
                                           funds: (.zero, .zero), policy: policy),
            output: try LiveOutput(directory: "\(directory)/\(manifest)", profiles: profiles, resuming: published),
            published: published)
    }

    @Test("a stream with no push for the idle timeout is ended (ENDLIST) and forgotten; a fresher one is kept")
    func idleStreamsEnd() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-idle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        final class Clock: Sendable { let ms = Atomic<UInt64>(5_000) }  // moved by hand
        let clock = Clock()
        let sessions = StreamSessions(maxStreams: 10, idleTimeoutMs: 30_000, now: { clock.ms.load(ordering: .relaxed) }) {
            try Self.lostStream($0, directory: directory)
        }
        let segment = BroadcastSegment(seq: 0, bytes: [0x47], durationMs: 2_000)
        _ = try await sessions.handle(manifest: "a", segment: segment)
        clock.ms.add(20_000, ordering: .relaxed)
        _ = try await sessions.handle(manifest: "b", segment: segment)
        clock.ms.add(9_999, ordering: .relaxed)
        #expect(await sessions.endIdle().isEmpty)
        clock.ms.add(1, ordering: .relaxed)
        #expect(await sessions.endIdle() == ["a"])
        #expect(await sessions.manifests == ["b"])
        let ended = try String(contentsOfFile: "\(directory)/a/P144p30fps16x9/index.m3u8", encoding: .utf8)
        #expect(ended.contains("#EXT-X-ENDLIST"))
        clock.ms.add(30_000, ordering: .relaxed)
        #expect(await sessions.endIdle() == ["b"])
        #expect(await sessions.manifests.isEmpty)
    }

    @Test("a stream made again resumes: delivered seqs are duplicates, older ones too late, its playlist lists what is on disk")
    func resumedStream() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-resume-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(directory)/show/P144p30fps16x9", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for seq in [0, 1, 3] { FileManager.default.createFile(atPath: "\(directory)/show/P144p30fps16x9/\(Segmenter.fileName(seq))", contents: Data([0x47])) }
        let published = (0...3).map { PublishedSegments.Segment(seq: Int64($0), durationMs: 2_000, by: "0xabc", latencyMs: 100 + Int64($0)) }
        let history = published.filter { $0.seq != 2 } + [PublishedSegments.Segment(seq: 5, durationMs: 1_500, by: "0xdef", latencyMs: 7)]
        let sessions = StreamSessions { try Self.lostStream($0, directory: directory, published: history) }
        guard case .duplicate(let delivery) = try await sessions.handle(manifest: "show", segment: BroadcastSegment(seq: 3, bytes: [0x47], durationMs: 2_000)) else {
            Issue.record("a delivered seq is answered as a duplicate"); return
        }
        #expect(delivery == StreamSessions.Delivery(by: "0xabc", latencyMs: 103))
        guard case .tooLate(let newest) = try await sessions.handle(manifest: "show", segment: BroadcastSegment(seq: 4, bytes: [0x47], durationMs: 2_000)) else {
            Issue.record("a seq below the newest published one is too late"); return
        }
        #expect(newest == 5)
        let playlist = try String(contentsOfFile: "\(directory)/show/P144p30fps16x9/index.m3u8", encoding: .utf8)
        #expect(playlist == HLSPlaylist.media([0, 1, 3].map { HLSPlaylist.Entry(uri: Segmenter.fileName($0), duration: 2) }, window: 6),
                "seq 5's renditions are not on disk, so it is not listed")
    }

    @Test("a stream's events fold into its delivered segments; a delivery without its ingest, and other streams' events, are ignored")
    func publishedFold() {
        // Events as the broadcaster writes them (typed, so schema-valid: the fold reads only what the log accepted).
        func event(_ typed: some TypedEvent) -> EventEnvelope {
            typed.envelope(id: UUID().uuidString, keys: EventKeys(stream: "s"), timestamp: 0)
        }
        let hash = "0x" + String(repeating: "ab", count: 32)
        var history = PublishedSegments()
        history.apply(event(SegmentIngested(seq: 1, durationMs: 2_000, bytes: 10, dataHash: hash)))
        history.apply(event(SegmentIngested(seq: 0, durationMs: 1_800, bytes: 10, dataHash: hash)))
        history.apply(event(SegmentFailed(seq: 1, orchestrator: nil, attempt: 1, reason: "timeout", detail: nil, final: false)))
        history.apply(event(SegmentDelivered(seq: 1, orchestrator: "0x1", latencyMs: 40)))
        history.apply(event(SegmentDelivered(seq: 0, orchestrator: "0x2", latencyMs: 30)))
        history.apply(event(SegmentDelivered(seq: 9, orchestrator: "0x3", latencyMs: 1)))
        #expect(history.inOrder == [PublishedSegments.Segment(seq: 0, durationMs: 1_800, by: "0x2", latencyMs: 30),
                                    PublishedSegments.Segment(seq: 1, durationMs: 2_000, by: "0x1", latencyMs: 40)])
    }

    @Test("every stream busy at the cap: a new manifest is refused (typed), and is taken once one turns idle")
    func allBusyRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-busy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // An orchestrator that accepts connections and never answers keeps stream a's segment in flight.
        let silent = try SilentListener()
        defer { silent.close() }
        let hanging = [OrchestratorCandidate(address: try PrivateKey.generate().address, url: "https://127.0.0.1:\(silent.port)",
                                             pricePerPixel: 1, stake: 1)]
        let policy = BroadcastPolicy(maxAttempts: 1, attemptTimeoutFactor: 0, minimumAttemptSeconds: 2, budgetFactor: 0,
                                     minimumBudgetSeconds: 3)
        let sessions = StreamSessions(maxStreams: 1) { manifest in
            try Self.lostStream(manifest, directory: directory, candidates: manifest == "a" ? hanging : [], policy: policy)
        }
        let segment = BroadcastSegment(seq: 0, bytes: [0x47], durationMs: 2_000)
        let first = Task { try await sessions.handle(manifest: "a", segment: segment) }
        while await !sessions.manifests.contains("a") { await Task.yield() }
        guard case .tooManyStreams(let limit) = try await sessions.handle(manifest: "b", segment: segment) else {
            Issue.record("b is refused while a is busy"); return
        }
        #expect(limit == 1)
        #expect(await sessions.manifests == ["a"])
        guard case .sent(let outcome) = try await first.value else { Issue.record("a's segment ends (lost)"); return }
        #expect(outcome.deliveredBy == nil)
        guard case .sent = try await sessions.handle(manifest: "b", segment: segment) else { Issue.record("b is taken now"); return }
        #expect(await sessions.manifests == ["b"])
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

/// A TCP listener on loopback that never accepts: connections to it hang (an orchestrator that never answers).
final class SilentListener: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 64) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
