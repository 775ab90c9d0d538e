import Broadcaster
import EthCrypto
import EventLog
import EventModel
import JSONCore
import Foundation
import Drills
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Orchestrator
import Payments
import SwiftProtobuf
import Testing
import TestSupport
import Transcoding
import Wire
@testable import Edge

/// Every failure the node must survive, each on real servers on loopback writing to a real log: a faulty
/// orchestrator (down, slow, over capacity, wrong pixel counts, bad signatures, tampered renditions) is
/// caught, suspended and recorded with its evidence, and another delivers every segment; a transcoder dying
/// mid-segment is retried inside its orchestrator.
@Suite("failures and failover", .serialized)
struct FailureTests {
    /// The fault one orchestrator commits in a case.
    enum Fault: String, CaseIterable, CustomTestStringConvertible {
        case down, slow, overCapacity, wrongPixels, badSignature, tampered
        var testDescription: String { rawValue }
    }

    /// Two 2 s 320×180 segments, made once.
    static let segments: [BroadcastSegment] = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-failures-src-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try! MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-t", "4", "-c:v", "libx264",
                                "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", directory + "/clip.mp4"])
        LibavLog.errorsOnly()
        return try! Segmenter.split(input: directory + "/clip.mp4", into: directory + "/segments", seconds: 2).map {
            BroadcastSegment(seq: Int64($0.index), bytes: Array(try Data(contentsOf: URL(fileURLWithPath: $0.path))),
                             durationMs: Int32(($0.duration * 1_000).rounded()))
        }
    }()

    static let chain = ValidationContext(currentBlock: 10, currentRound: 1, roundBlockHashes: [1: Keccak256.hash([1])],
                                         gasPrice: UInt256(1_000_000_000))

    static var profile: Net_VideoProfile { try! VideoProfile.parseList("P144p30fps16x9")[0].wire }

    /// A directory, a log and its sink, shared by the servers and the broadcaster of one case.
    struct Bench {
        let directory: String
        let log: EventLog
        let sink: LogEventSink

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-failures-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            log = try EventLog(directory: directory + "/log")
            sink = LogEventSink(log: log)
        }

        func server(_ name: String, faults: NodeFaults = NodeFaults(), capacity: Int = 4,
                    pool: ((String) -> TranscoderPool)? = nil) throws -> (PrivateKey, OrchestratorEndpoints) {
            let key = try PrivateKey.generate()
            let recipient = TicketRecipient(validator: TicketValidator(recipient: key.address, secret: try RecipientSecret.generate()))
            let node = try OrchestratorNode(key: key, recipient: recipient, authSecret: Array(name.utf8),
                                            price: try PriceInfo(pricePerUnit: UInt256(1_000), pixelsPerUnit: .one), capacity: capacity,
                                            outputDirectory: "\(directory)/\(name)", profiles: try VideoProfile.parseList("P144p30fps16x9"),
                                            publicURL: "", pool: pool?(key.address.checksummed), events: sink,
                                            signer: FaultySigner(faults: faults))
            return (key, try OrchestratorEndpoints(node: node, tls: false, context: { FailureTests.chain }))
        }

        /// The stored events, in order.
        func events() async throws -> [EventEnvelope] {
            await sink.flush()
            #expect(sink.failureCount == 0, "every event the node and broadcaster wrote validates: \(sink.lastFailure ?? "")")
            var events: [EventEnvelope] = []
            try log.scan { events.append(try $0.record().envelope); return true }
            return events
        }

        func close() {
            log.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("a faulty orchestrator is caught, suspended and recorded; the honest one delivers every segment", arguments: Fault.allCases)
    func failover(fault: Fault) async throws {
        let bench = try Bench()
        defer { bench.close() }
        let (honestKey, honest) = try bench.server("honest")
        let faults = switch fault {
        case .slow: NodeFaults(delaySeconds: 25)  // well past the 12 s attempt limit below
        case .wrongPixels: NodeFaults(overreportPixels: true)
        case .badSignature: NodeFaults(signWithWrongKey: true)
        case .tampered: NodeFaults(tamperRenditions: true)
        case .down, .overCapacity: NodeFaults()
        }
        let (faultyKey, faulty) = try bench.server("faulty", faults: faults, capacity: fault == .overCapacity ? 0 : 4)
        let honestURL = try await honest.start()
        var faultyURL = try await faulty.start()
        defer {
            honest.stop()
            faulty.stop()
        }
        if fault == .down {
            faulty.stop()
            faultyURL = "http://127.0.0.1:9"  // discard port: nothing listens
        }
        let broadcaster = StreamBroadcaster(
            key: try PrivateKey.generate(), manifest: "failover-\(fault.rawValue)", profiles: [Self.profile],
            candidates: [
                OrchestratorCandidate(address: honestKey.address, url: honestURL, pricePerPixel: 1_000, stake: 1),
                // Staked a million times more: chosen first whenever it is not suspended.
                OrchestratorCandidate(address: faultyKey.address, url: faultyURL, pricePerPixel: 1_000, stake: 1_000_000),
            ],
            maxPricePerPixel: 5_000, seed: 11, scratchDirectory: bench.directory,
            funds: (UInt256(1_000_000_000_000_000_000), UInt256(1_000_000_000_000_000_000)),
            // 12 s per attempt: a loaded CI machine once took over 8 s for the honest first segment.
            policy: BroadcastPolicy(maxAttempts: 3, attemptTimeoutFactor: 1, minimumAttemptSeconds: 12, budgetFactor: 10,
                                    minimumBudgetSeconds: 60),
            events: bench.sink)
        for segment in Self.segments {
            let outcome = await broadcaster.send(segment)
            #expect(outcome.deliveredBy == honestURL, "segment \(segment.seq): \(outcome.failures)")
        }
        let events = try await bench.events()
        let expectedReason = switch fault {
        case .down: "unreachable"
        case .slow: "timeout"
        case .overCapacity: "capped"
        case .wrongPixels, .badSignature, .tampered: "verification-failed"
        }
        let failed = events.filter { $0.type == "segment.failed" }
        #expect(failed.count == 1, "segment 0 fails once at the faulty one; segment 1 avoids it (suspended)")
        #expect(failed.first?.payload["reason"]?.stringValue == expectedReason)
        #expect(failed.first?.payload["orchestrator"]?.stringValue == faultyKey.address.checksummed)
        #expect(failed.first?.payload["final"] == false)
        #expect(events.contains { $0.type == "orchestrator.suspended" && $0.keys.orchestrator == faultyKey.address.checksummed })
        #expect(events.filter { $0.type == "segment.delivered" }.count == 2)
        #expect(events.filter { $0.type == "segment.delivered" }.allSatisfy {
            $0.payload["orchestrator"]?.stringValue == honestKey.address.checksummed
        })
        let check = events.first { $0.type == "verification.failed" }
        switch fault {
        case .wrongPixels:
            #expect(check?.payload["check"] == "pixels")
            let evidence = check?.payload["evidence"]
            #expect((evidence?["reportedPixels"]?.integerValue ?? 0) > (evidence?["measuredPixels"]?.integerValue ?? .max))
        case .badSignature, .tampered:
            #expect(check?.payload["check"] == "signature")
            #expect(check?.payload["evidence"]?["resultSig"]?.stringValue?.hasPrefix("0x") == true)
        case .overCapacity:
            #expect(events.contains { $0.type == "segment.refused" && $0.payload["reason"] == "over-capacity" })
            #expect(check == nil)
        case .down, .slow:
            #expect(check == nil)
        }
    }

    @Test("a transcoder dying mid-segment: the orchestrator retries on its other transcoder and still delivers")
    func transcoderDies() async throws {
        let bench = try Bench()
        defer { bench.close() }
        let (key, server) = try bench.server("flaky", pool: { orchestrator in
            let pool = TranscoderPool(orchestrator: orchestrator, sink: bench.sink, clock: SystemClock())
            pool.add(DyingTranscoder(wrapping: LocalTranscoder(id: "t1-dies"), atTask: 1))  // labelled fault: crashes on its first task
            pool.add(LocalTranscoder(id: "t2"))
            return pool
        })
        let url = try await server.start()
        defer { server.stop() }
        let broadcaster = StreamBroadcaster(
            key: try PrivateKey.generate(), manifest: "flaky", profiles: [Self.profile],
            candidates: [OrchestratorCandidate(address: key.address, url: url, pricePerPixel: 1_000, stake: 1)],
            maxPricePerPixel: 5_000, seed: 5, scratchDirectory: bench.directory,
            funds: (UInt256(1_000_000_000_000_000_000), UInt256(1_000_000_000_000_000_000)), events: bench.sink)
        for segment in Self.segments {
            let outcome = await broadcaster.send(segment)
            #expect(outcome.deliveredBy == url, "segment \(segment.seq): \(outcome.failures)")
        }
        let events = try await bench.events()
        #expect(events.contains { $0.type == "task.failed" && $0.payload["reason"] == "disconnected" })
        #expect(events.contains { $0.type == "transcoder.lost" && $0.payload["transcoder"] == "t1-dies" })
        #expect(!events.contains { $0.type == "segment.failed" })
        #expect(events.filter { $0.type == "task.completed" }.allSatisfy { $0.payload["transcoder"] == "t2" })
    }

    @Test("bad requests: garbage, a bad payment, a wrong segment hash, a bad segment signature, replayed tickets → status, event, no crash")
    func badRequests() async throws {
        let bench = try Bench()
        defer { bench.close() }
        let (orchestrator, server) = try bench.server("strict")
        try await server.start()
        let url = server.edgeURL
        defer { server.stop() }
        let broadcaster = try PrivateKey.generate()
        let sender = TicketSender(key: broadcaster)
        let body = Self.segments[0].bytes

        /// Fresh params from GetOrchestrator, a payment for one segment, and the signed segment header.
        func request(seq: Int64, hash: Hash32? = nil, signer: PrivateKey? = nil) async throws -> (segment: String, payment: String) {
            let (infoBytes, _) = try await URLSession.shared.data(from: URL(string: "\(url)/orchestrator-info?sender=\(broadcaster.address.checksummed)")!)
            let info = try Net_OrchestratorInfo(serializedBytes: infoBytes)
            let offered = try Payment(offer: info, sender: broadcaster.address)
            let paid = try sender.pay(session: url, params: offered.ticketParams, price: offered.expectedPrice, pixels: 2 * 30 * 256 * 144,
                                      deposit: UInt256(1_000_000_000_000_000_000), reserve: UInt256(1_000_000_000_000_000_000), currentBlock: 0)
            var data = Net_SegData()
            data.manifestID = Data("strict".utf8)
            data.seq = seq
            data.hash = Data((hash ?? Keccak256.hash(body)).bytes)
            data.duration = 2_000
            data.fullProfiles = [FailureTests.profile]
            data.authToken = info.authToken
            data.sig = Data(try (signer ?? broadcaster).signMessage(SegmentSigning.message(data)).bytes)
            return (try data.serializedData().base64EncodedString(), try paid.payment.wire.serializedData().base64EncodedString())
        }

        func post(_ headers: (segment: String, payment: String)?, body: [UInt8]) async throws -> Int {
            var request = URLRequest(url: URL(string: "\(url)/segment")!)
            request.httpMethod = "POST"
            if let headers {
                request.setValue(headers.segment, forHTTPHeaderField: "Livepeer-Segment")
                request.setValue(headers.payment, forHTTPHeaderField: "Livepeer-Payment")
            }
            let (_, response) = try await URLSession.shared.upload(for: request, from: Data(body))
            return (response as? HTTPURLResponse)?.statusCode ?? 0
        }

        var garbage = [UInt8](repeating: 0, count: 4_096)
        for index in garbage.indices { garbage[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
        // No headers at all: as in go-livepeer, an absent payment header is an empty payment (it parses), so the
        // refusal is the segment's missing signature (403), not the payment (402).
        #expect(try await post(nil, body: garbage) == 403)
        #expect(try await post(("bm90IHByb3Rv", "!!not-base64!!"), body: garbage) == 402)  // a payment that is not base64 protobuf
        let good = try await request(seq: 0)
        #expect(try await post((good.segment, Data(garbage.prefix(64)).base64EncodedString()), body: body) == 402)
        #expect(try await post(try await request(seq: 1, hash: Keccak256.hash([1, 2, 3])), body: body) == 403)  // wrong hash
        #expect(try await post(try await request(seq: 2, signer: try PrivateKey.generate()), body: body) == 403)  // not the sender's
        #expect(try await post(good, body: body) == 200)  // the good one still goes through
        #expect(try await post(good, body: body) == 400)  // the same tickets again: replayed
        #expect(try await post(try await request(seq: 3), body: body) == 200)  // and the node keeps serving

        let events = try await bench.events()
        let refused = events.filter { $0.type == "segment.refused" }.map { ($0.payload["status"]?.integerValue ?? 0, $0.payload["reason"]?.stringValue ?? "") }
        #expect(refused.map(\.0) == [403, 402, 402, 403, 403, 400])
        #expect(refused.map(\.1) == ["bad-segment-signature", "unparsable-payment", "unparsable-payment", "hash-mismatch",
                                     "bad-segment-signature", "payment-failed"])
        #expect(events.contains { $0.type == "ticket.rejected" && $0.payload["reason"] == "nonce-replayed" })
        #expect(events.filter { $0.type == "fee.debited" }.count == 2)
        #expect(events.allSatisfy { $0.keys.orchestrator == nil || $0.keys.orchestrator == orchestrator.address.checksummed
                                    || $0.keys.orchestrator == PaymentEvent.unknownParty })
    }

    @Test("second opinion: stale renditions, signed and counted right, are caught by PSNR against two honest results")
    func secondOpinion() async throws {
        let bench = try Bench()
        defer { bench.close() }
        let (staleKey, stale) = try bench.server("stale", faults: NodeFaults(staleRenditions: true))
        let (firstKey, first) = try bench.server("first")
        let (secondKey, second) = try bench.server("second")
        let urls = [try await stale.start(), try await first.start(), try await second.start()]
        defer { [stale, first, second].forEach { $0.stop() } }
        let broadcaster = StreamBroadcaster(
            key: try PrivateKey.generate(), manifest: "opinion", profiles: [Self.profile],
            candidates: [
                OrchestratorCandidate(address: staleKey.address, url: urls[0], pricePerPixel: 1_000, stake: 1_000_000),
                OrchestratorCandidate(address: firstKey.address, url: urls[1], pricePerPixel: 1_000, stake: 1),
                OrchestratorCandidate(address: secondKey.address, url: urls[2], pricePerPixel: 1_000, stake: 1),
            ],
            maxPricePerPixel: 5_000, seed: 17, scratchDirectory: bench.directory,
            funds: (UInt256(1_000_000_000_000_000_000), UInt256(1_000_000_000_000_000_000)),
            policy: BroadcastPolicy(secondOpinionRate: 1), events: bench.sink)
        let honestStart = await broadcaster.send(Self.segments[0])
        #expect(honestStart.deliveredBy == urls[0] && (honestStart.secondOpinionPSNR ?? 0) > 40, "\(honestStart.secondOpinionPSNR ?? -1)")
        let caught = await broadcaster.send(Self.segments[1])
        #expect(caught.deliveredBy == urls[1] || caught.deliveredBy == urls[2], "the stale one answered first; its result was replaced")
        #expect((caught.secondOpinionPSNR ?? 100) < 30, "\(caught.secondOpinionPSNR ?? -1)")
        let events = try await bench.events()
        let verdict = events.first { $0.type == "verification.failed" }
        #expect(verdict?.payload["check"] == "psnr" && verdict?.keys.orchestrator == staleKey.address.checksummed)
        #expect((verdict?.payload["evidence"]?["psnrMillidecibels"]?.integerValue ?? 100_000) < 30_000)
        #expect(events.contains { $0.type == "orchestrator.suspended" && $0.keys.orchestrator == staleKey.address.checksummed })
        // The renditions delivered for segment 1 are an honest one's, not the stale copy of segment 0's.
        let delivered = caught.renditions.first.map { Keccak256.hash($0) }
        #expect(delivered != honestStart.renditions.first.map { Keccak256.hash($0) })
    }
}
