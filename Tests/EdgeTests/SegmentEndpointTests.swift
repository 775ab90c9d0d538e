import EthCrypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Orchestrator
import Payments
import SwiftProtobuf
import Synchronization
import Testing
import TestSupport
import Transcoding
import Wire
@testable import Edge

/// A broadcaster's segment through a real HTTP server: POST /segment with go-livepeer's headers, a signed
/// TranscodeResult back, renditions fetched over HTTP, their signature and pixel counts verified by decoding.
@Suite("HTTP segment endpoint")
struct SegmentEndpointTests {
    @Test("POST /segment → signed TranscodeResult; renditions served; signature and pixels verified; 402 and 403 refusals")
    func endToEnd() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-edge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        LibavLog.errorsOnly()
        let source = directory + "/segment.ts"
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-f", "lavfi", "-i", "sine", "-t", "2",
                               "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", source])
        let body = Array(try Data(contentsOf: URL(fileURLWithPath: source)))

        let orchestratorKey = try PrivateKey.generate()
        let broadcaster = try PrivateKey.generate()
        let recipient = TicketRecipient(validator: TicketValidator(recipient: orchestratorKey.address,
                                                                   secret: RecipientSecret(key: Array("edge".utf8))))
        let price = try PriceInfo(pricePerUnit: UInt256(1_200), pixelsPerUnit: .one)
        let secret = Array("edge auth".utf8)
        let node = try OrchestratorNode(key: orchestratorKey, recipient: recipient, authSecret: secret, price: price, capacity: 2,
                                        outputDirectory: directory + "/out",
                                        profiles: try VideoProfile.parseList("P144p30fps16x9"), publicURL: "")
        let chain = ValidationContext(currentBlock: 10, currentRound: 1, roundBlockHashes: [1: Keccak256.hash([1])],
                                      gasPrice: UInt256(1_000_000_000))
        let now: Int64 = 1_764_300_000
        let recorded = Mutex<[PaymentEvent]>([])
        let router = Router()
        EdgeRoutes.add(to: router, node: node, context: { chain }, now: { now }, record: { events in recorded.withLock { $0 += events } })
        let app = Application(router: router)

        // The broadcaster's side: params from the orchestrator, a payment, a signed segment.
        let funds = SenderFunds(deposit: UInt256(10_000_000_000_000_000_000), reserve: UInt256(10_000_000_000_000_000_000))
        let params = try recipient.ticketParams(sender: broadcaster.address, funds: funds, activeSetSize: 100, price: price,
                                                context: chain, seed: Keccak256.hash([7]))
        let paid = try TicketSender(key: broadcaster).pay(session: "m", params: params, price: price, pixels: 2 * 30 * 256 * 144,
                                                          deposit: funds.deposit, reserve: funds.reserve, currentBlock: 10)
        var segment = Net_SegData()
        segment.manifestID = Data("edge-stream".utf8)
        segment.seq = 0
        segment.hash = Data(Keccak256.hash(body).bytes)
        segment.duration = 2_000
        segment.authToken = AuthTokens.make(secret: secret, sessionID: "s", expiration: now + 600)
        var profile = Net_VideoProfile()
        profile.name = "P144p30fps16x9"
        profile.width = 256
        profile.height = 144
        profile.bitrate = 400_000
        profile.fps = 30
        segment.fullProfiles = [profile]
        segment.sig = Data(try broadcaster.signMessage(SegmentSigning.message(segment)).bytes)
        let segmentHeader = try segment.serializedData().base64EncodedString()
        let sent = segment
        let paymentHeader = try paid.payment.wire.serializedData().base64EncodedString()

        try await app.test(.live) { client in
            let response = try await client.execute(
                uri: "/segment", method: .post,
                headers: [HTTPField.Name("Livepeer-Segment")!: segmentHeader, HTTPField.Name("Livepeer-Payment")!: paymentHeader,
                          .contentType: "video/MP2T"],
                body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
            let result = try Net_TranscodeResult(serializedBytes: Array(buffer: response.body))
            #expect(result.seq == 0)
            guard case .data(let data)? = result.result else {
                Issue.record("no data in the result: \(result)")
                return
            }
            #expect(data.segments.count == 1)
            var hashes: [Hash32] = []
            for rendition in data.segments {
                let fetched = try await client.execute(uri: rendition.url, method: .get)
                #expect(fetched.status == .ok)
                let bytes = Array(buffer: fetched.body)
                hashes.append(Keccak256.hash(bytes))
                let file = directory + "/fetched.ts"
                try Data(bytes).write(to: URL(fileURLWithPath: file))
                let counted = try PixelCounter.count(path: file)
                #expect(Int64(counted.pixels) == rendition.pixels, "reported pixels are what decoding counts")
                #expect(counted.width == 256 && counted.height == 144 && counted.frames == 60)
            }
            let signature = try Signature(bytes: data.sig)
            #expect(try signature.recoverSigner(message: SegmentSigning.resultMessage(renditionHashes: hashes).bytes) == orchestratorKey.address)

            // The same payment again: every ticket replayed → 400. Garbage payment → 402. Wrong body → 403.
            let replay = try await client.execute(
                uri: "/segment", method: .post,
                headers: [HTTPField.Name("Livepeer-Segment")!: segmentHeader, HTTPField.Name("Livepeer-Payment")!: paymentHeader],
                body: ByteBuffer(bytes: body))
            #expect(replay.status.code == 400)
            let garbage = try await client.execute(
                uri: "/segment", method: .post,
                headers: [HTTPField.Name("Livepeer-Segment")!: segmentHeader, HTTPField.Name("Livepeer-Payment")!: "%%%"],
                body: ByteBuffer(bytes: body))
            #expect(garbage.status.code == 402)
            let traversal = try await client.execute(uri: "/stream/..%2F..%2Fetc/passwd.ts", method: .get)
            #expect(traversal.status == .notFound)
            // The result carries the orchestrator's info (as go-livepeer's), with the segment's own auth token.
            #expect(result.hasInfo && result.info.authToken == sent.authToken && result.info.hasCapabilities)
            #expect(result.info.hasTicketParams && result.info.transcoder == node.publicURL)

            // The same (manifest, seq) again, freshly paid: the same result, not a second transcode.
            let freshParams = try recipient.ticketParams(sender: broadcaster.address, funds: funds, activeSetSize: 100, price: price,
                                                         context: chain, seed: Keccak256.hash([8]))
            let repaid = try TicketSender(key: broadcaster).pay(session: "m2", params: freshParams, price: price, pixels: 2 * 30 * 256 * 144,
                                                               deposit: funds.deposit, reserve: funds.reserve, currentBlock: 10)
            let again = try await client.execute(
                uri: "/segment", method: .post,
                headers: [HTTPField.Name("Livepeer-Segment")!: segmentHeader,
                          HTTPField.Name("Livepeer-Payment")!: try repaid.payment.wire.serializedData().base64EncodedString()],
                body: ByteBuffer(bytes: body))
            #expect(again.status == .ok)
            let second = try Net_TranscodeResult(serializedBytes: Array(buffer: again.body))
            #expect(second.data == data, "a resubmission gets the first result")
            // Other bytes under the same seq: 409, and the renditions served are still the first ones.
            var other = sent
            let otherBody = body + [0x47]
            other.hash = Data(Keccak256.hash(otherBody).bytes)
            try SegmentSigning.sign(&other, key: broadcaster)
            let thirdParams = try recipient.ticketParams(sender: broadcaster.address, funds: funds, activeSetSize: 100, price: price,
                                                         context: chain, seed: Keccak256.hash([9]))
            let thirdPayment = try TicketSender(key: broadcaster).pay(session: "m3", params: thirdParams, price: price,
                                                                      pixels: 2 * 30 * 256 * 144, deposit: funds.deposit,
                                                                      reserve: funds.reserve, currentBlock: 10)
            let conflict = try await client.execute(
                uri: "/segment", method: .post,
                headers: [HTTPField.Name("Livepeer-Segment")!: try other.serializedData().base64EncodedString(),
                          HTTPField.Name("Livepeer-Payment")!: try thirdPayment.payment.wire.serializedData().base64EncodedString()],
                body: ByteBuffer(bytes: otherBody))
            #expect(conflict.status.code == 409)
            let refetched = try await client.execute(uri: data.segments[0].url, method: .get)
            #expect(Keccak256.hash(Array(buffer: refetched.body)) == hashes[0])
        }
        let events = recorded.withLock { $0 }
        #expect(events.contains { if case .paymentReceived = $0 { true } else { false } })
        #expect(events.contains { if case .feeDebited(let debit) = $0 { debit.pixels == 60 * 256 * 144 } else { false } })
        #expect(events.contains { if case .ticketRejected(let rejected) = $0 { rejected.rejection.reason == .nonceReplayed } else { false } })
    }
}
