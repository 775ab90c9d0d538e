import EthCrypto
import Edge
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Orchestrator
import Payments
import SwiftProtobuf
import Telemetry
import Testing
import TestSupport
import Transcoding
import Wire

/// GET /metrics on a live orchestrator edge (loopback): segments accepted, replayed and garbage move the counters by
/// exactly what happened, and Python's prometheus_client parses the text to the same samples.
@Suite("Prometheus /metrics on the orchestrator edge")
struct MetricsEndpointTests {
    @Test("a transcoded, a replayed and a garbage segment: received 3, transcoded 1, refused by reason, tickets by reason")
    func countersMove() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-metrics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        LibavLog.errorsOnly()
        let source = directory + "/segment.ts"
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-t", "2", "-c:v", "libx264",
                               "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", source])
        let body = Array(try Data(contentsOf: URL(fileURLWithPath: source)))

        let key = try PrivateKey.generate()
        let recipient = TicketRecipient(validator: TicketValidator(recipient: key.address, secret: RecipientSecret(key: Array("m".utf8))))
        let price = try PriceInfo(pricePerUnit: UInt256(1_000), pixelsPerUnit: .one)
        let secret = Array("metrics auth".utf8)
        let registry = MetricsRegistry()  // this test's own: other suites running at once cannot move its counters
        let node = try OrchestratorNode(key: key, recipient: recipient, authSecret: secret, price: price, capacity: 2,
                                        outputDirectory: directory + "/out", profiles: try VideoProfile.parseList("P144p30fps16x9"),
                                        publicURL: "", telemetry: OrchestratorTelemetry(metrics: registry))
        let chain = ValidationContext(currentBlock: 10, currentRound: 1, roundBlockHashes: [1: Keccak256.hash([1])],
                                      gasPrice: UInt256(1_000_000_000))
        let now = EdgeServer.wallClock()
        let server = EdgeServer(node: node, context: { chain }, now: { now })
        let url = try await server.start()
        defer { server.stop() }

        // GET /orchestrator-info sets the offered-params gauges (what the same recipient offers this sender).
        let broadcaster = try PrivateKey.generate()
        let (infoBytes, infoStatus) = try await Self.request("\(url)/orchestrator-info?sender=\(broadcaster.address.checksummed)")
        #expect(infoStatus == 200 && !infoBytes.isEmpty)
        let funds = SenderFunds(deposit: UInt256(1_000_000_000_000_000_000), reserve: UInt256(1_000_000_000_000_000_000))
        let params = try recipient.ticketParams(sender: broadcaster.address, funds: funds, activeSetSize: 100, price: price,
                                                context: chain, seed: Keccak256.hash([7]))
        // The broadcaster's side: a payment and a signed segment.
        let paid = try TicketSender(key: broadcaster).pay(session: "m", params: params, price: price, pixels: 2 * 30 * 256 * 144,
                                                          deposit: funds.deposit, reserve: funds.reserve, currentBlock: 10)
        let tickets = paid.payment.senderParams.count
        #expect(tickets > 0)
        var segment = Net_SegData()
        segment.manifestID = Data("metrics-stream".utf8)
        segment.hash = Data(Keccak256.hash(body).bytes)
        segment.duration = 2_000
        segment.authToken = AuthTokens.make(secret: secret, sessionID: "s", expiration: now + 600)
        var profile = Net_VideoProfile()
        (profile.name, profile.width, profile.height, profile.bitrate, profile.fps) = ("P144p30fps16x9", 256, 144, 400_000, 30)
        segment.fullProfiles = [profile]
        segment.sig = Data(try broadcaster.signMessage(SegmentSigning.message(segment)).bytes)
        let headers = ["Livepeer-Segment": try segment.serializedData().base64EncodedString(),
                       "Livepeer-Payment": try paid.payment.wire.serializedData().base64EncodedString()]

        let accepted = try await Self.request("\(url)/segment", body: body, headers: headers)
        #expect(accepted.1 == 200)
        let replayed = try await Self.request("\(url)/segment", body: body, headers: headers)
        #expect(replayed.1 == 400)
        let garbage = try await Self.request("\(url)/segment", body: body,
                                             headers: ["Livepeer-Segment": headers["Livepeer-Segment"]!, "Livepeer-Payment": "%%%"])
        #expect(garbage.1 == 402)

        let (metricsBytes, metricsStatus) = try await Self.request("\(url)/metrics")
        #expect(metricsStatus == 200)
        let text = String(decoding: metricsBytes, as: UTF8.self)
        let parsed = try PrometheusText(text)
        #expect(parsed.value("streamflow_orchestrator_segments_received_total") == 3)
        #expect(parsed.value("streamflow_orchestrator_segments_transcoded_total") == 1)
        #expect(parsed.value("streamflow_orchestrator_segments_failed_total") == 0)
        #expect(parsed.value("streamflow_orchestrator_segments_refused_total", ["reason": "payment-failed"]) == 1)
        #expect(parsed.value("streamflow_orchestrator_segments_refused_total", ["reason": "unparsable-payment"]) == 1)
        #expect(parsed.value("streamflow_orchestrator_tickets_received_total") == Double(tickets))
        #expect(parsed.value("streamflow_orchestrator_tickets_rejected_total", ["reason": "nonce-replayed"]) == Double(tickets))
        #expect(parsed.value("streamflow_orchestrator_tickets_rejected_total", ["reason": "malformed"]) == 1)
        #expect(parsed.value("streamflow_orchestrator_transcode_seconds_count") == 1)
        #expect((parsed.value("streamflow_orchestrator_transcode_seconds_sum") ?? 0) > 0)
        #expect(parsed.value("streamflow_orchestrator_transcode_seconds_bucket", ["le": "+Inf"]) == 1)
        #expect(parsed.value("streamflow_orchestrator_ticket_face_value_wei") == params.faceValue.doubleValue)
        let probability = try #require(parsed.value("streamflow_orchestrator_ticket_win_probability"))
        #expect(probability > 0 && probability <= 1)
        #expect(parsed.types["streamflow_orchestrator_transcode_seconds"] == "histogram")
        #expect(text.contains("# HELP streamflow_orchestrator_segments_refused_total Segments refused at intake, by reason."))

        // An implementation no one here wrote reads the same text to the same samples.
        let python = try PythonOracle.run(script: """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    out.append([s.name, s.labels, s.value, family.type])
            print(json.dumps(out))
            """, input: Data(text.utf8))
        let samples = try #require(try JSONSerialization.jsonObject(with: python) as? [[Any]])
        #expect(samples.count == parsed.samples.count)
        for sample in samples {
            let name = try #require(sample[0] as? String), labels = try #require(sample[1] as? [String: String])
            let value = try #require(sample[2] as? Double)
            #expect(parsed.value(name, labels) == value, "\(name) \(labels)")
        }
        #expect(samples.contains { ($0[0] as? String) == "streamflow_orchestrator_segments_refused_total" && ($0[3] as? String) == "counter" })
    }

    /// GET or POST `url`; returns the body and status.
    static func request(_ url: String, body: [UInt8]? = nil, headers: [String: String] = [:]) async throws -> ([UInt8], Int) {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 30
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response): (Data, URLResponse)
        if let body {
            request.httpMethod = "POST"
            (data, response) = try await URLSession.shared.upload(for: request, from: Data(body))
        } else {
            (data, response) = try await URLSession.shared.data(for: request)
        }
        return (Array(data), (response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}
