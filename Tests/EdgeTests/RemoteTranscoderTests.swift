import Edge
import EthCrypto
import Foundation
import GRPCCore
import Orchestrator
import Synchronization
import Testing
import TestSupport
import TranscoderAgent
import Transcoding
import Wire
import WireRPC

/// Remote transcoders over gRPC (RegisterTranscoder → stream NotifySegment) and HTTPS (source GET, results POST),
/// TLS on both: a real transcoder agent, a wrong secret, a stream closed mid-segment, a task left unanswered.
@Suite("remote transcoders", .serialized)
struct RemoteTranscoderTests {
    static let secret = "remote transcoder secret"

    /// The hub's events, as they were reported.
    final class Events: Sendable {
        let list = Mutex<[RemoteTranscoderEvent]>([])
        func add(_ event: RemoteTranscoderEvent) { list.withLock { $0.append(event) } }
        var all: [RemoteTranscoderEvent] { list.withLock { $0 } }
    }

    /// A directory, a 2 s 320×180 MPEG-TS source segment in it, and an orchestrator over TLS accepting transcoders.
    struct Fixture {
        let directory: String
        let source: String
        let events = Events()
        let hub: RemoteTranscoderHub
        let orchestrator: TestOrchestrator

        init(taskTimeout: Duration = .seconds(30)) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-remote-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            source = directory + "/source.ts"
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-f", "lavfi", "-i", "sine", "-t", "2",
                                   "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac",
                                   "-f", "mpegts", source])
            let events = events
            hub = RemoteTranscoderHub(secret: RemoteTranscoderTests.secret, taskTimeout: taskTimeout) { events.add($0) }
            orchestrator = try TestOrchestrator(directory: directory + "/orchestrator", hub: hub)
        }

        func task(id: Int64, profiles: String = "P144p30fps16x9") throws -> TranscodeTask {
            TranscodeTask(id: id, manifest: "remote-stream", seq: 3, durationMs: 2_000, profiles: try VideoProfile.parseList(profiles),
                          sourcePath: source, outputDirectory: directory + "/renditions")
        }

        /// The first transcoder to register, waiting up to 15 s.
        func registered() async throws -> RemoteTranscoder { try await RemoteTranscoderTests.firstTranscoder(in: hub) }

        /// Starts the orchestrator and an agent with `capacity`; returns the gRPC address, the agent's task (cancel
        /// it to stop the agent) and the agent as the hub sees it once registered.
        func startWithAgent(capacity: Int, onePort: Bool = false) async throws -> (NodeAddress, Task<Void, any Error>, RemoteTranscoder) {
            LibavLog.errorsOnly()
            let (rpcAddress, edge) = try await orchestrator.start()
            // One port: the edge itself serves the Transcoder service over HTTP/2 (go-livepeer's layout).
            let address = onePort ? try NodeAddress(edge) : rpcAddress
            let agent = TranscoderAgent(orchestrator: address, secret: RemoteTranscoderTests.secret, capacity: capacity,
                                        workDirectory: directory + "/agent")
            let running = Task { try await agent.run() }
            return (address, running, try await registered())
        }

        func cleanUp() {
            orchestrator.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// The first transcoder to register with `hub`, waiting up to 15 s.
    static func firstTranscoder(in hub: RemoteTranscoderHub) async throws -> RemoteTranscoder {
        for _ in 0..<1_500 {
            if let transcoder = hub.transcoders.first { return transcoder }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw MediaTools.Failure(description: "no transcoder registered within 15 s")
    }

    /// Registers with a raw stub and hands each NotifySegment to `onTask`; the stream closes when it returns false.
    static func rawTranscoder(_ address: NodeAddress, secret: String,
                              onTask: @escaping @Sendable (Net_NotifySegment) async -> Bool) async throws {
        var request = Net_RegisterRequest()
        request.secret = secret
        request.capacity = 1
        try await NodeRPC.withClient(to: address) { client in
            try await Net_Transcoder.Client(wrapping: client).registerTranscoder(request) { response in
                for try await notification in response.messages {
                    if await !onTask(notification) { return }
                }
            }
        }
    }

    @Test("a transcoder agent registers over TLS, gets a task, and its renditions come back: files where the task says, checked by ffprobe")
    func agentTranscodes() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let (_, running, transcoder) = try await fixture.startWithAgent(capacity: 2)
        defer { running.cancel() }
        #expect(transcoder.capacity == 2 && transcoder.kind == "remote")
        #expect(fixture.events.all == [.registered(id: transcoder.id, capacity: 2)])

        let task = try fixture.task(id: 41, profiles: "P144p30fps16x9,P240p30fps16x9")
        let renditions = try await transcoder.transcode(task)
        #expect(renditions.map(\.profile.name) == ["P144p30fps16x9", "P240p30fps16x9"], "one rendition per profile, in order")
        for rendition in renditions {
            #expect(rendition.file == task.renditionPath(profile: rendition.profile))
            let probe = try MediaTools.probe(rendition.file, ["-count_frames", "-select_streams", "v:0",
                                                              "-show_entries", "stream=codec_name,width,height,nb_read_frames"])
            let stream = try #require((probe["streams"] as? [[String: Any]])?.first)
            let width = stream["width"] as? Int, height = stream["height"] as? Int
            let frames = Int(stream["nb_read_frames"] as? String ?? "") ?? 0
            #expect(stream["codec_name"] as? String == "h264")
            let expected = rendition.profile.outputSize(sourceWidth: 320, sourceHeight: 180)  // never upscaled
            #expect(width == expected.width && height == expected.height)
            #expect(frames == 60)
            #expect(rendition.pixels == Int64((width ?? 0) * (height ?? 0) * frames), "reported pixels = what ffprobe decodes")
        }
        // The agent going away is reported as a loss.
        running.cancel()
        for _ in 0..<500 where fixture.hub.transcoders.count > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(fixture.hub.transcoders.isEmpty)
        #expect(fixture.events.all.last.map { if case .lost(transcoder.id, _) = $0 { true } else { false } } == true)
    }

    @Test("a transcoder agent registers on the edge's one port (server-streaming gRPC over the edge's HTTP/2), transcodes, and is lost when it goes")
    func agentOnOnePort() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let (_, running, transcoder) = try await fixture.startWithAgent(capacity: 1, onePort: true)
        defer { running.cancel() }
        let renditions = try await transcoder.transcode(try fixture.task(id: 7))
        #expect(renditions.count == 1 && FileManager.default.fileExists(atPath: renditions[0].file))
        running.cancel()
        for _ in 0..<500 where fixture.hub.transcoders.count > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(fixture.hub.transcoders.isEmpty, "the stream's end reaches the hub through the edge")
    }

    @Test("a wrong secret is refused with PERMISSION_DENIED, and the agent stops with the reason")
    func wrongSecret() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let (address, _) = try await fixture.orchestrator.start()
        do {
            try await Self.rawTranscoder(address, secret: "guess") { _ in true }
            Issue.record("a wrong secret was accepted")
        } catch let error as RPCError {
            #expect(error.code == .permissionDenied)
            #expect(error.message.contains("secret"))
        }
        let agent = TranscoderAgent(orchestrator: address, secret: "guess", capacity: 1, workDirectory: fixture.directory + "/agent")
        await #expect(throws: TranscoderAgentError.self) { try await agent.run() }
        #expect(fixture.hub.transcoders.isEmpty && fixture.events.all.isEmpty)
    }

    @Test("a transcoder that closes its stream mid-segment fails the task with .disconnected at once; its source is no longer served")
    func disconnectMidSegment() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let (address, _) = try await fixture.orchestrator.start()
        let sourceURL = Mutex<String?>(nil)
        let client = Task {
            try await Self.rawTranscoder(address, secret: Self.secret) { notification in
                sourceURL.withLock { $0 = notification.url }
                // Fetch the source (mid-segment), then vanish without a result.
                _ = try? await EdgeHTTP.get(notification.url, timeout: .seconds(5))
                return false
            }
        }
        defer { client.cancel() }
        let transcoder = try await fixture.registered()
        let started = ContinuousClock.now
        await #expect(throws: TranscoderFailure.disconnected) { _ = try await transcoder.transcode(try fixture.task(id: 5)) }
        #expect(ContinuousClock.now - started < .seconds(5), "failed by the stream closing, not by the 30 s timeout")
        let url = try #require(sourceURL.withLock { $0 })
        #expect(url.hasPrefix("https://") && url.split(separator: "/").last?.count == 64, "an unguessable HTTPS URL")
        #expect(try await EdgeHTTP.get(url, timeout: .seconds(5)).status == 404)
        #expect(fixture.events.all.contains { if case .lost(transcoder.id, _) = $0 { true } else { false } })
    }

    @Test("a task with no result within the timeout fails with .timeout; a result posted late is refused with 404, a wrong credential with 401")
    func timeout() async throws {
        let fixture = try Fixture(taskTimeout: .milliseconds(800))
        defer { fixture.cleanUp() }
        let (address, edge) = try await fixture.orchestrator.start()
        let client = Task { try await Self.rawTranscoder(address, secret: Self.secret) { _ in true } }
        defer { client.cancel() }
        let transcoder = try await fixture.registered()
        let (contentType, body) = RenditionMultipart.encode([RenditionMultipart.Part(pixels: 1, bytes: [1, 2, 3])])
        func post(credentials: String) async throws -> Int {
            try await EdgeHTTP.post("\(edge)/transcodeResults",
                                    headers: [("Authorization", TranscoderRoutes.authorization), ("Credentials", credentials),
                                              ("TaskId", "9"), ("Pixels", "1"), ("Content-Type", contentType)],
                                    body: body, timeout: .seconds(5)).status
        }
        let task = try fixture.task(id: 9)
        let pending = Task { () async -> TranscoderFailure? in
            do {
                _ = try await transcoder.transcode(task)
                return nil
            } catch { return error as? TranscoderFailure }
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await post(credentials: "wrong") == 401)
        #expect(await pending.value == .timeout)
        #expect(try await post(credentials: Self.secret) == 404)
        #expect(fixture.hub.transcoders.count == 1, "a slow task does not unregister the transcoder")
    }

    @Test("the orchestrator going away: the agent is reported lost, reconnects with backoff to a new one on the same port, and transcodes there")
    func reconnects() async throws {
        let first = try Fixture()
        defer { first.cleanUp() }
        let (address, running, _) = try await first.startWithAgent(capacity: 1)
        defer { running.cancel() }
        first.orchestrator.stop()
        // A new orchestrator process on the same gRPC port (the edge may move: tasks name its URL).
        let events = Events()
        let hub = RemoteTranscoderHub(secret: Self.secret) { events.add($0) }
        let node = first.orchestrator.node
        let edge = EdgeServer(node: node, context: { TestOrchestrator.chain }, tls: first.orchestrator.tls, hub: hub)
        _ = try await edge.start()
        let rpc = RPCServer(source: OrchestratorInfoSource(node: node, context: { TestOrchestrator.chain }, now: EdgeServer.wallClock),
                            hub: hub, port: address.port, tls: first.orchestrator.tls)
        var bound: NodeAddress?
        for _ in 0..<50 where bound == nil {
            bound = try? await rpc.start()
            if bound == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        defer {
            edge.stop()
            rpc.stop()
        }
        #expect(bound?.port == address.port)
        let started = ContinuousClock.now
        let again = try await Self.firstTranscoder(in: hub)
        #expect(ContinuousClock.now - started < .seconds(12))
        #expect(first.events.all.contains { if case .lost = $0 { true } else { false } }, "the first orchestrator reported the loss")
        let renditions = try await again.transcode(try first.task(id: 77))
        #expect(renditions.count == 1 && FileManager.default.fileExists(atPath: renditions[0].file))
    }

    @Test("an agent whose orchestrator is unreachable keeps retrying with backoff, and stops when cancelled")
    func unreachable() async throws {
        let lines = Mutex<[String]>([])
        let agent = TranscoderAgent(orchestrator: NodeAddress(host: "127.0.0.1", port: 9), secret: Self.secret, capacity: 1,
                                    workDirectory: FileManager.default.temporaryDirectory.path) { line in lines.withLock { $0.append(line) } }
        let running = Task { try await agent.run() }
        try await Task.sleep(for: .milliseconds(2_000))
        let started = ContinuousClock.now
        running.cancel()
        _ = await running.result
        #expect(ContinuousClock.now - started < .seconds(2), "cancellation ends it")
        let attempts = lines.withLock { $0 }.filter { $0.contains("lost") }.count
        #expect(attempts >= 2 && attempts <= 4, "0.5 s, 1 s … backoff: \(lines.withLock { $0 })")
    }

    @Test("the multipart result body round-trips, binary-safe, in order")
    func multipart() throws {
        let parts = [RenditionMultipart.Part(pixels: 1_105_920, bytes: Array("--\r\n\r\n".utf8) + [0, 255, 13, 10]),
                     RenditionMultipart.Part(pixels: 0, bytes: [])]
        let (contentType, body) = RenditionMultipart.encode(parts)
        #expect(try RenditionMultipart.decode(body, contentType: contentType) == parts)
        #expect(throws: RenditionMultipart.DecodeError.self) { try RenditionMultipart.decode(body, contentType: "video/MP2T") }
        #expect(throws: RenditionMultipart.DecodeError.self) {
            try RenditionMultipart.decode(Array(body.prefix(body.count / 2)), contentType: contentType)
        }
        let (inflatedType, inflated) = RenditionMultipart.encode([RenditionMultipart.Part(pixels: RenditionMultipart.maxPixels + 1, bytes: [1])])
        #expect(throws: RenditionMultipart.DecodeError.self) { try RenditionMultipart.decode(inflated, contentType: inflatedType) }
    }
}
