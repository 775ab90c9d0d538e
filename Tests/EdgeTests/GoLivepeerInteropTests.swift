import Broadcaster
import Edge
import EthCrypto
import EventModel
import Foundation
import WireRPC
import Orchestrator
import Payments
import Testing
import TestSupport
import Transcoding
import Wire

/// Interop both ways with a go-livepeer peer emulated in Python (Tests/Interop: go-livepeer's own lp_rpc.proto
/// compiled by grpcio-tools, its rules re-implemented from go-livepeer 176aa415c and first checked against its
/// own test vectors). go-livepeer's broadcaster → `streamflow`'s orchestrator on one TLS port (gRPC and POST
/// /segment over HTTP/2), and `streamflow`'s broadcaster → go-livepeer's orchestrator; on-chain and off-chain.
@Suite("go-livepeer interop", .serialized)
struct GoLivepeerInteropTests {
    static let peer = PythonOracle.packageRoot.appendingPathComponent("Tests/Interop/golivepeer_peer.py").path

    /// What the Python broadcaster reports (a subset of its JSON).
    struct BroadcastReport: Decodable {
        struct Segment: Decodable {
            let seq: Int64
            let status: Int
            let http_version: String?
            let error: String?
            let sig_ok: Bool?
            let sig_checked: Bool?
            let pixels_ok: Bool?
            let tickets: Int?
            let seed_len: Int?
            let nonces: [UInt32]?
            let replay_status: Int?
        }
        let discovery_passed: Bool
        let segments: [Segment]
        let refreshes: Int
        let ended: Bool
        let short_seed_payments: Int?
    }

    /// `count` one-second 320x180 H.264 MPEG-TS segments.
    static func segments(_ count: Int, in directory: String) throws -> [String] {
        try (0..<count).map { index in
            let path = "\(directory)/seg\(index).ts"
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x180:rate=30:duration=1", "-vf", "hue=h=\(index * 40)",
                                   "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-f", "mpegts", path])
            return path
        }
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs the Python go-livepeer broadcaster against `address`, off the cooperative pool.
    static func broadcast(to address: String, _ arguments: [String]) async throws -> BroadcastReport {
        let data = try await OffPool.run {
            try PythonOracle.run(script: "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
                                 arguments: [peer, "broadcast", "--orchestrator", address] + arguments)
        }
        do { return try JSONDecoder().decode(BroadcastReport.self, from: data) } catch {
            throw PythonOracle.Failure(description: "broadcast printed \(String(decoding: data, as: UTF8.self)): \(error)")
        }
    }

    @Test("the Python peer's encodings match go-livepeer's own test vectors (ticket hash, Flatten, signatures, capabilities, params)")
    func peerVectors() async throws {
        let data = try await OffPool.run {
            try PythonOracle.run(script: "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
                                 arguments: [Self.peer, "vectors"])
        }
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["ok"] as? Bool == true, "\(String(decoding: data, as: UTF8.self))")
        #expect(((object?["checked"] as? [String]) ?? []).count >= 10)
    }

    /// A fresh directory and our orchestrator serving on its one TLS port; the `host:port` go-livepeer is given.
    static func onePortOrchestrator(_ name: String, offchain: Bool = false) async throws -> (String, TestOrchestrator, String) {
        let directory = try temporaryDirectory(name)
        let orchestrator = try TestOrchestrator(directory: directory + "/out", offchain: offchain)
        let edgeURL = try await orchestrator.edge.start()
        return (directory, orchestrator, edgeURL.replacingOccurrences(of: "https://", with: ""))
    }

    @Test("go-livepeer's broadcaster → our orchestrator on one port: discovery, HTTP/2 segments, refresh and end over gRPC, short seeds")
    func goBroadcasterToStreamflow() async throws {
        let (directory, orchestrator, address) = try await Self.onePortOrchestrator("interop-o")
        defer {
            orchestrator.edge.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let files = try Self.segments(4, in: directory)
        let report = try await Self.broadcast(to: address, ["--segments"] + files + [
            "--profiles", "P144p30fps16x9", "--http2", "--refresh-every", "2", "--end-session", "--short-seed",
            "--l1-block", "\(TestOrchestrator.chain.currentBlock)", "--round", "\(TestOrchestrator.chain.currentRound)"])
        #expect(report.discovery_passed, "go-livepeer's discovery filter must keep us")
        #expect(report.segments.count == 4)
        for segment in report.segments {
            #expect(segment.status == 200, "seq \(segment.seq): \(segment.error ?? "")")
            #expect(segment.http_version == "HTTP/2", "seq \(segment.seq) went over \(segment.http_version ?? "?")")
            #expect(segment.sig_checked == true && segment.sig_ok == true, "seq \(segment.seq): result signature")
            #expect(segment.pixels_ok == true, "seq \(segment.seq): pixel counts")
        }
        #expect(report.refreshes >= 1 && report.ended)
        #expect((report.short_seed_payments ?? 0) >= 1, "a payment carrying a seed shorter than 32 bytes")
        #expect(report.segments.contains { ($0.seed_len ?? 32) < 32 && $0.status == 200 })
    }

    @Test("go-livepeer's refusals from our orchestrator: 402 garbage payment, 403 segment sig, capabilities and body, 400 replayed nonce")
    func goBroadcasterRefusals() async throws {
        let (directory, orchestrator, address) = try await Self.onePortOrchestrator("interop-r")
        defer {
            orchestrator.edge.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let files = try Self.segments(1, in: directory)
        for (tamper, status) in [("payment-garbage", 402), ("seg-sig", 403), ("seg-caps", 403), ("body", 403), ("replay", 200)] {
            let report = try await Self.broadcast(to: address, ["--segments"] + files + [
                "--profiles", "P144p30fps16x9", "--http2", "--tamper", tamper, "--manifest", "refuse-\(tamper)",
                "--l1-block", "\(TestOrchestrator.chain.currentBlock)"])
            #expect(report.segments.first?.status == status, "\(tamper): \(report.segments.first?.error ?? "")")
            if tamper == "replay" { #expect(report.segments.first?.replay_status == 400, "the same tickets sent twice") }
        }
    }

    @Test("off-chain on both sides: go-livepeer's unsigned requests and empty payments are served by `--offchain` only")
    func offchainGoBroadcaster() async throws {
        let directory = try Self.temporaryDirectory("interop-off")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let offchain = try TestOrchestrator(directory: directory + "/out", offchain: true)
        let onchain = try TestOrchestrator(directory: directory + "/out2")
        let offURL = try await offchain.edge.start()
        let onURL = try await onchain.edge.start()
        defer {
            offchain.edge.stop()
            onchain.edge.stop()
        }
        let files = try Self.segments(2, in: directory)
        let served = try await Self.broadcast(to: offURL.replacingOccurrences(of: "https://", with: ""),
                                              ["--segments"] + files + ["--profiles", "P144p30fps16x9", "--offchain", "--http2"])
        #expect(served.segments.map(\.status) == [200, 200], "\(served.segments.map { $0.error ?? "" })")
        #expect(served.segments.allSatisfy { $0.pixels_ok == true })
        let refused = try await Self.broadcast(to: onURL.replacingOccurrences(of: "https://", with: ""),
                                               ["--segments"] + files + ["--profiles", "P144p30fps16x9", "--offchain", "--http2",
                                                                         "--ignore-discovery"])
        #expect(!refused.segments.contains { $0.status == 200 }, "an on-chain orchestrator must not serve unsigned, unpaid segments")
    }

    /// The Python go-livepeer orchestrator, started with `arguments`; its gRPC address, when listening.
    static func startOrchestrator(_ directory: String, _ arguments: [String]) async throws -> (ChildProcess, String) {
        let portFile = directory + "/port.json"
        let child = try ChildProcess(PythonOracle.interpreter, [peer, "orchestrate", "--port-file", portFile, "--out", directory + "/o"]
                                     + arguments, outputPath: directory + "/orchestrate.log")
        for _ in 0..<300 {
            if let data = FileManager.default.contents(atPath: portFile),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let port = object["grpc_port"] as? Int {
                return (child, "127.0.0.1:\(port)")
            }
            guard child.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        child.kill()
        throw PythonOracle.Failure(description: "the go-livepeer orchestrator did not start: \(child.output)")
    }

    /// Streams `files` through the orchestrator at `address` with our broadcaster; the outcomes.
    static func streamThrough(_ address: String, files: [String], offchain: Bool, scratch: String) async throws -> [SegmentOutcome] {
        let key = try PrivateKey.generate()
        let (found, unreachable) = await OrchestratorDirectory.discover(urls: [address], key: key, timeout: 20, offchain: offchain)
        #expect(found.count == 1 && unreachable.isEmpty, "discovery of the go-livepeer orchestrator")
        var policy = BroadcastPolicy(maxAttempts: 1, minimumAttemptSeconds: 60, minimumBudgetSeconds: 120)
        policy.offchain = offchain
        let broadcaster = StreamBroadcaster(
            key: key, manifest: "interop", profiles: try VideoProfile.parseList("P144p30fps16x9").map(\.wire), candidates: found,
            maxPricePerPixel: 1_000_000, seed: 11, scratchDirectory: scratch,
            funds: (UInt256(1_000_000_000_000_000_000), UInt256(1_000_000_000_000_000_000)), policy: policy)
        var outcomes: [SegmentOutcome] = []
        for (index, file) in files.enumerated() {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            outcomes.append(await broadcaster.send(BroadcastSegment(seq: Int64(index), bytes: bytes, durationMs: 1_000)))
        }
        return outcomes
    }

    /// The go-livepeer orchestrator's request log.
    static func requests(_ directory: String) throws -> [[String: Any]] {
        let text = (try? String(contentsOfFile: directory + "/o/requests.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["seq"] != nil }
    }

    @Test("our broadcaster → go-livepeer's orchestrator: paid over HTTP/2, every check of go-livepeer's passes, results verified")
    func streamflowToGoOrchestrator() async throws {
        let directory = try Self.temporaryDirectory("interop-b")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (child, address) = try await Self.startOrchestrator(directory, ["--http2", "--price-per-pixel", "1"])
        defer { _ = child.stop(seconds: 5) }
        // As go-livepeer's client: HTTP/2 whenever the edge offers it (the process default is HTTP/1.1).
        EdgeHTTP.usesHTTP2 = true
        defer { EdgeHTTP.usesHTTP2 = false }
        let files = try Self.segments(3, in: directory)
        let outcomes = try await Self.streamThrough(address, files: files, offchain: false, scratch: directory)
        #expect(outcomes.allSatisfy { $0.deliveredBy != nil }, "\(outcomes.flatMap(\.failures))")
        let log = try Self.requests(directory)
        #expect(log.count == 3, "\(log)")
        for entry in log {
            #expect(entry["status"] as? Int == 200, "\(entry)")
            #expect(entry["sig_ok"] as? Bool == true, "\(entry)")
            #expect(entry["http_version"] as? String == "HTTP/2", "\(entry)")
        }
        // The first segment is paid with tickets; later ones may ride on the credit left (go-livepeer allows that).
        #expect((log.first?["tickets"] as? Int ?? 0) >= 1, "\(log)")
    }

    @Test("our broadcaster → go-livepeer's orchestrator off-chain: unsigned request, empty payment, unsigned results accepted")
    func streamflowToGoOrchestratorOffchain() async throws {
        let directory = try Self.temporaryDirectory("interop-bo")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (child, address) = try await Self.startOrchestrator(directory, ["--http2", "--offchain"])
        defer { _ = child.stop(seconds: 5) }
        let files = try Self.segments(2, in: directory)
        let outcomes = try await Self.streamThrough(address, files: files, offchain: true, scratch: directory)
        #expect(outcomes.allSatisfy { $0.deliveredBy != nil }, "\(outcomes.flatMap(\.failures))")
        #expect(try Self.requests(directory).map { $0["status"] as? Int } == [200, 200])
    }

    @Test("`streamflow broadcast --offchain --http2` (the command) → go-livepeer's off-chain orchestrator: every segment delivered, exit 0")
    func broadcastCommandToGoOrchestrator() async throws {
        let directory = try Self.temporaryDirectory("interop-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (orchestrator, address) = try await Self.startOrchestrator(directory, ["--http2", "--offchain"])
        defer { _ = orchestrator.stop(seconds: 5) }
        let input = directory + "/input.ts"
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x180:rate=30:duration=4", "-c:v", "libx264", "-preset", "ultrafast",
                               "-g", "30", "-f", "mpegts", input])
        let broadcast = try ChildProcess.streamflow(["broadcast", input, "--orchestrators", address, "--out", directory + "/live",
                                                     "--profiles", "P144p30fps16x9", "--offchain", "--http2", "--attempt-timeout", "60"],
                                                    outputPath: directory + "/broadcast.log")
        let status = try await OffPool.run { () -> Int32 in
            broadcast.process.waitUntilExit()
            return broadcast.process.terminationStatus
        }
        #expect(status == 0, "\(broadcast.output)")
        #expect(broadcast.output.contains("2 segments: 2 delivered, 0 lost"), "\(broadcast.output)")
        let log = try Self.requests(directory)
        #expect(log.map { $0["status"] as? Int } == [200, 200])
        #expect(log.allSatisfy { $0["http_version"] as? String == "HTTP/2" }, "broadcast --http2 posts over HTTP/2: \(log)")
    }
}
