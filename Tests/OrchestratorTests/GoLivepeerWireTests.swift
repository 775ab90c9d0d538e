import EthCrypto
import Foundation
@testable import Orchestrator
import Payments
import SwiftProtobuf
import Testing
import TestSupport
import Wire

/// go-livepeer's wire rules, checked against its own test vectors and behaviour (go-livepeer 176aa415c):
/// the segment signature's Flatten, capability bitstrings and discovery, minimal big-endian integers, payments
/// without tickets, off-chain intake, and resubmitted segments.
@Suite("go-livepeer wire rules")
struct GoLivepeerWireTests {
    /// core/stream_test.go TestSegmentFlatten: manifest "abcdef", seq 1234, hash "browns" right-padded, profiles
    /// P144p30fps16x9 and P240p30fps16x9 → keccak256(Flatten).
    @Test("Flatten matches go-livepeer's TestSegmentFlatten vector; the signature is personal_sign(keccak256(Flatten))")
    func flattenVector() throws {
        var segment = Net_SegData()
        segment.manifestID = Data("abcdef".utf8)
        segment.seq = 1234
        segment.hash = Data(Array("browns".utf8) + [UInt8](repeating: 0, count: 26))
        segment.profiles = SegmentSigning.legacyProfilesMarker
        segment.fullProfiles = ["P144p30fps16x9", "P240p30fps16x9"].map { name in
            var profile = Net_VideoProfile()
            profile.name = name
            return profile
        }
        #expect(Hex.encode(SegmentSigning.message(segment), prefix: false)
                == "08a398e7e7a5a545b0b07d9e7e1eab52b4131e0df1621bd53ee6e7550a15465b")
        // fullProfiles3 wins over the others, as coreSegMetadata reads them.
        var three = segment
        three.fullProfiles3 = [segment.fullProfiles[1]]
        #expect(SegmentSigning.profiles(of: three).map(\.name) == ["P240p30fps16x9"])
        let key = try PrivateKey.generate()
        try SegmentSigning.sign(&segment, key: key)
        #expect(SegmentSigning.isSigned(segment, by: key.address))
        let signature = try Signature(bytes: segment.sig)
        #expect(try signature.recoverSigner(message: SegmentSigning.message(segment)) == key.address)
        // The old form (the flatten itself signed, without keccak) is not accepted.
        segment.sig = Data(try key.signMessage(SegmentSigning.flatten(segment)).bytes)
        #expect(!SegmentSigning.isSigned(segment, by: key.address))
    }

    @Test("capability bitstrings, compatibility and discovery as core/capabilities.go and discovery/discovery.go")
    func capabilities() {
        #expect(LivepeerCapabilities.bitstring([.h264, .mpegts, .authToken]) == [1 | 2 | 1 << 12])
        #expect(LivepeerCapabilities.bitstring([.segmentSlicing]) == [1 << 26])
        let advert = LivepeerCapabilities.advertisement(capacity: 3)
        #expect(advert.bitstring == [1 | 2 | 1 << 4 | 1 << 12] && advert.capacities[12] == 3 && advert.mandatories.isEmpty)
        #expect(advert.version == LivepeerCapabilities.compatibleVersion)
        let job = LivepeerCapabilities.job()
        #expect(LivepeerCapabilities.isCompatible(job: job, orchestrator: advert))
        // A job asking for MPEG7 signatures (verification) is not served by us.
        #expect(!LivepeerCapabilities.isCompatible(job: LivepeerCapabilities.job([.authToken, .h264, .mpeg7VideoSignature]),
                                                  orchestrator: advert))
        // Mandatories the job lacks fail it; a longer job bitstring than the orchestrator's fails it.
        var strict = advert
        strict.mandatories = LivepeerCapabilities.bitstring([.gop])
        #expect(!LivepeerCapabilities.isCompatible(job: job, orchestrator: strict))
        var wide = job
        wide.bitstring = [job.bitstring[0], 1]
        #expect(!LivepeerCapabilities.isCompatible(job: wide, orchestrator: advert))
        // Minimum versions compare numerically, pre-release suffixes ignored; no version fails a minimum.
        var picky = job
        picky.constraints.minVersion = "0.9.0"
        #expect(LivepeerCapabilities.isCompatible(job: picky, orchestrator: advert))
        picky.constraints.minVersion = "v0.10.0"
        #expect(!LivepeerCapabilities.isCompatible(job: picky, orchestrator: advert))
        var unversioned = advert
        unversioned.version = ""
        picky.constraints.minVersion = "0.1.0"
        #expect(!LivepeerCapabilities.isCompatible(job: picky, orchestrator: unversioned))
        // Discovery: an orchestrator without capabilities passes only a legacy-only job (ours needs AuthToken).
        var bare = Net_OrchestratorInfo()
        #expect(!LivepeerCapabilities.passesDiscovery(job: job, info: bare))
        #expect(LivepeerCapabilities.passesDiscovery(job: LivepeerCapabilities.job([.h264, .mpegts]), info: bare))
        bare.capabilities = advert
        #expect(LivepeerCapabilities.passesDiscovery(job: job, info: bare))
    }

    @Test("a seed of fewer than 32 bytes (a big.Int's Bytes()) is left-padded; ours is written minimal, as go-livepeer writes it")
    func minimalSeed() throws {
        let setup = try SegmentIntakeTests.Setup()
        var params = try setup.params()
        params.seed = try Hash32(bytes: [0] + [UInt8](repeating: 7, count: 31))
        let payment = Payment(sender: setup.broadcaster.address, ticketParams: params, senderParams: [], expectedPrice: setup.price)
        let wire = payment.wire
        #expect(wire.ticketParams.seed.count == 31)
        #expect(try Payment(wire: wire).ticketParams.seed == params.seed)
        var long = wire
        long.ticketParams.seed = Data(count: 33)
        #expect(throws: WireError.badLength(field: "ticket_params.seed", expected: 32, actual: 33)) { try Payment(wire: long) }
    }

    @Test("a payment without ticket params is accepted while the sender's credit covers one ticket's EV, refused after")
    func paymentWithoutTickets() throws {
        let setup = try SegmentIntakeTests.Setup()
        let body = Array("segment bytes".utf8)
        // First segment pays (credit builds up); the next carries no tickets, as go-livepeer's broadcaster sends
        // when its balance covers the fee.
        #expect(SegmentIntakeTests.status(setup.accept(try setup.request(body: body), body: body)) == 200)
        var bare = Net_Payment()
        bare.sender = Data(setup.broadcaster.address.bytes)
        bare.expectedPrice.pricePerUnit = 1_200
        bare.expectedPrice.pixelsPerUnit = 1
        let (segment, _) = try setup.request(body: body, seq: 1)
        let result = setup.accept((segment, try bare.serializedData().base64EncodedString()), body: body)
        #expect(SegmentIntakeTests.status(result) == 200)
        // A sender with no credit at all is refused (400), not served for free.
        let stranger = try SegmentIntakeTests.Setup()
        var strangerPayment = Net_Payment()
        strangerPayment.sender = Data(stranger.broadcaster.address.bytes)
        strangerPayment.expectedPrice = bare.expectedPrice
        let (strangerSegment, _) = try stranger.request(body: body, seq: 2)
        let refused = stranger.accept((strangerSegment, try strangerPayment.serializedData().base64EncodedString()), body: body)
        #expect(SegmentIntakeTests.status(refused) == 400)
    }

    @Test("segments asking for capabilities we do not offer are refused with 403")
    func incompatibleSegment() throws {
        let setup = try SegmentIntakeTests.Setup()
        let body = Array("segment bytes".utf8)
        let (segmentText, payment) = try setup.request(body: body)
        var segment = try Net_SegData(serializedBytes: Data(base64Encoded: segmentText)!)
        segment.capabilities = LivepeerCapabilities.job([.authToken, .h264, .mp4])
        try SegmentSigning.sign(&segment, key: setup.broadcaster)
        let result = setup.accept((try segment.serializedData().base64EncodedString(), payment), body: body)
        #expect(SegmentIntakeTests.refusal(result) == .incompatibleCapabilities)
        #expect(SegmentIntakeTests.status(result) == 403)
    }

    @Test("off-chain: an empty payment and an unsigned segment are accepted; on-chain the same request is refused")
    func offchain() throws {
        let setup = try SegmentIntakeTests.Setup()
        let offchain = SegmentIntake(recipient: setup.recipient, authSecret: setup.secret,
                                     capabilities: LivepeerCapabilities.advertisement(capacity: 1), offchain: true)
        let body = Array("segment bytes".utf8)
        var segment = Net_SegData()
        segment.manifestID = Data("m".utf8)
        segment.hash = Data(Keccak256.hash(body).bytes)
        segment.authToken = AuthTokens.make(secret: setup.secret, sessionID: "s", expiration: setup.now + 60)
        let header = try segment.serializedData().base64EncodedString()
        let accepted = offchain.accept(segmentHeader: header, paymentHeader: "", body: body, context: setup.context,
                                       now: setup.now, hasCapacity: { true }).0
        #expect(SegmentIntakeTests.status(accepted) == 200)
        if case .success(let segment) = accepted { #expect(segment.sender == nil && segment.payment == nil) }
        #expect(SegmentIntakeTests.refusal(setup.accept((header, ""), body: body)) == .badSegmentSignature)
    }

    @Test("resubmitted segments: the same bytes get the same result, other bytes 409, in flight 409; the table is bounded")
    func resubmissions() {
        let results = SegmentResults(limit: 3)
        var result = Net_TranscodeResult()
        result.seq = 1
        #expect(results.claim(stream: "s", seq: 1, hash: [1]) == .fresh)
        #expect(results.claim(stream: "s", seq: 1, hash: [1]) == .inFlight)
        #expect(results.claim(stream: "s", seq: 1, hash: [2]) == .otherContent)
        results.finish(stream: "s", seq: 1, hash: [1], result: result)
        #expect(results.claim(stream: "s", seq: 1, hash: [1]) == .done(result))
        #expect(results.claim(stream: "s", seq: 1, hash: [9]) == .otherContent)
        #expect(SegmentRefusal.resubmittedWithOtherContent(seq: 1).status == 409)
        // A failed transcode is forgotten, so the segment can be sent again.
        #expect(results.claim(stream: "s", seq: 2, hash: [2]) == .fresh)
        results.abandon(stream: "s", seq: 2)
        #expect(results.claim(stream: "s", seq: 2, hash: [2]) == .fresh)
        // Bound: 3 entries (seq 1 done, seq 2 and 3 in flight); a fourth evicts the oldest finished one.
        #expect(results.claim(stream: "s", seq: 3, hash: [3]) == .fresh)
        #expect(results.claim(stream: "s", seq: 4, hash: [4]) == .fresh)
        #expect(results.count == 3)
        #expect(results.claim(stream: "s", seq: 1, hash: [1]) == .full)  // every entry left is in flight: refused
        results.finish(stream: "s", seq: 2, hash: [2], result: result)
        #expect(results.claim(stream: "s", seq: 5, hash: [5]) == .fresh)
        #expect(results.count == 3)
        // Transcodes that keep failing (claimed, then abandoned) leave no growing bookkeeping behind.
        let failing = SegmentResults(limit: 4)
        for seq in 0..<1_000 {
            #expect(failing.claim(stream: "f", seq: Int64(seq), hash: [1]) == .fresh)
            failing.abandon(stream: "f", seq: Int64(seq))
        }
        #expect(failing.count == 0 && failing.orderCount <= 8)
        // Nor do transcodes that finish, once the oldest are being forgotten.
        for seq in 0..<1_000 {
            #expect(failing.claim(stream: "ok", seq: Int64(seq), hash: [1]) == .fresh)
            failing.finish(stream: "ok", seq: Int64(seq), hash: [1], result: result)
        }
        #expect(failing.count == 4 && failing.orderCount <= 8)
    }
}
