import EthCrypto
import Edge
import EventLog
import EventModel
import Foundation
import Orchestrator
import Payments
import SwiftProtobuf
import Telemetry
import Testing
import TestSupport
import Transcoding
import Wire

/// GET /healthz on live orchestrator edges: 200 over a log that stores; over a log that cannot (a real LMDB log opened
/// read-only) a paid segment is refused 503 (nothing acknowledged), and /healthz answers 503 naming the lost bookkeeping
/// events and the refused request, with the not-durable counter moved by kind.
@Suite("/healthz on the orchestrator edge")
struct HealthEndpointTests {
    @Test("a log that cannot store: 200 ok, then a paid segment answered 503 events-not-durable, and /healthz 503 with both problems")
    func unstorableEventsFailHealth() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-health-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try EventLog(directory: directory + "/log").close()  // made, then opened read-only below
        var options = EventLog.Options()
        options.readOnly = true
        let log = try EventLog(directory: directory + "/log", options: options)
        defer { log.close() }
        let sink = LogEventSink(log: log)
        let source = directory + "/segment.ts"
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-t", "2", "-c:v", "libx264",
                               "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", source])
        let body = Array(try Data(contentsOf: URL(fileURLWithPath: source)))
        let key = try PrivateKey.generate()
        let recipient = TicketRecipient(validator: TicketValidator(recipient: key.address, secret: RecipientSecret(key: Array("h".utf8))))
        let price = try PriceInfo(pricePerUnit: UInt256(1_000), pixelsPerUnit: .one)
        let secret = Array("health auth".utf8)
        let registry = MetricsRegistry()
        let node = try OrchestratorNode(key: key, recipient: recipient, authSecret: secret, price: price, capacity: 2,
                                        outputDirectory: directory + "/out", profiles: try VideoProfile.parseList("P144p30fps16x9"),
                                        publicURL: "", events: sink, telemetry: OrchestratorTelemetry(metrics: registry))
        let chain = ValidationContext(currentBlock: 10, currentRound: 1, roundBlockHashes: [1: Keccak256.hash([1])],
                                      gasPrice: UInt256(1_000_000_000))
        let now = EdgeServer.wallClock()
        let server = EdgeServer(node: node, context: { chain }, now: { now })
        let url = try await server.start()
        defer { server.stop() }

        // The same node over a log that stores: healthy.
        let writable = try EventLog(directory: directory + "/writable")
        defer { writable.close() }
        let good = EdgeServer(node: try OrchestratorNode(key: key, recipient: recipient, authSecret: secret, price: price, capacity: 2,
                                                         outputDirectory: directory + "/out2", profiles: try VideoProfile.parseList("P144p30fps16x9"),
                                                         publicURL: "", events: LogEventSink(log: writable),
                                                         telemetry: OrchestratorTelemetry(metrics: MetricsRegistry())),
                              context: { chain }, now: { now })
        let goodURL = try await good.start()
        defer { good.stop() }
        let healthy = try await MetricsEndpointTests.request("\(goodURL)/healthz")
        #expect(healthy.1 == 200 && String(decoding: healthy.0, as: UTF8.self) == "ok\n")

        let broadcaster = try PrivateKey.generate()
        let funds = SenderFunds(deposit: UInt256(1_000_000_000_000_000_000), reserve: UInt256(1_000_000_000_000_000_000))
        let params = try recipient.ticketParams(sender: broadcaster.address, funds: funds, activeSetSize: 100, price: price,
                                                context: chain, seed: Keccak256.hash([7]))
        let paid = try TicketSender(key: broadcaster).pay(session: "h", params: params, price: price, pixels: 2 * 30 * 256 * 144,
                                                          deposit: funds.deposit, reserve: funds.reserve, currentBlock: 10)
        var segment = Net_SegData()
        segment.manifestID = Data("health-stream".utf8)
        segment.hash = Data(Keccak256.hash(body).bytes)
        segment.duration = 2_000
        segment.authToken = AuthTokens.make(secret: secret, sessionID: "s", expiration: now + 600)
        var profile = Net_VideoProfile()
        (profile.name, profile.width, profile.height, profile.bitrate, profile.fps) = ("P144p30fps16x9", 256, 144, 400_000, 30)
        segment.fullProfiles = [profile]
        segment.sig = Data(try broadcaster.signMessage(SegmentSigning.message(segment)).bytes)
        let refused = try await MetricsEndpointTests.request("\(url)/segment", body: body, headers: [
            "Livepeer-Segment": try segment.serializedData().base64EncodedString(),
            "Livepeer-Payment": try paid.payment.wire.serializedData().base64EncodedString()])
        #expect(refused.1 == 503 && String(decoding: refused.0, as: UTF8.self).hasPrefix("events-not-durable"))

        // The refused request, and the bookkeeping events the log could not take (the node's start-up ones among them).
        #expect(await Eventually.until(seconds: 10) { sink.failureCount >= 1 })
        let unhealthy = try await MetricsEndpointTests.request("\(url)/healthz")
        let lines = String(decoding: unhealthy.0, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(unhealthy.1 == 503 && lines.count == 2, "\(lines)")
        #expect(lines.first?.contains(" events could not be stored; the last: append failed") == true, "\(lines)")
        #expect(lines.last == "1 requests refused because their payment events were not durable", "\(lines)")
        let metrics = String(decoding: try await MetricsEndpointTests.request("\(url)/metrics").0, as: UTF8.self)
        #expect(metrics.contains(#"streamflow_events_not_durable_total{kind="persist"} 1"#), "\(metrics)")
        let emitted = metrics.split(separator: "\n").first { $0.hasPrefix(#"streamflow_events_not_durable_total{kind="emit"}"#) }
        #expect(Int(emitted?.split(separator: " ").last ?? "") ?? 0 >= 1, "\(metrics)")
    }
}

/// Waits until `condition` holds (true) or `seconds` pass (false), checking every 10 ms.
enum Eventually {
    static func until(seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
