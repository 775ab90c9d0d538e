import EthCrypto
import Foundation
import Orchestrator
import Payments
import SwiftProtobuf
import Testing
import TestSupport
import Wire

/// POST /segment's checks, each refusal with go-livepeer's status code; and the wire bytes decoded by protoc.
@Suite("segment intake")
struct SegmentIntakeTests {
    struct Setup {
        let broadcaster = try! PrivateKey.generate()
        let sender: TicketSender
        let recipient: TicketRecipient
        let intake: SegmentIntake
        let context = ValidationContext(currentBlock: 100, currentRound: 3, roundBlockHashes: [3: Keccak256.hash([3])],
                                        gasPrice: UInt256(1_000_000_000))
        let price = try! PriceInfo(pricePerUnit: UInt256(1_200), pixelsPerUnit: .one)
        let secret = Array("auth secret".utf8)
        let now: Int64 = 1_764_300_000

        init() throws {
            sender = TicketSender(key: broadcaster)
            recipient = TicketRecipient(validator: TicketValidator(recipient: try PrivateKey.generate().address,
                                                                   secret: RecipientSecret(key: Array("r".utf8))))
            intake = SegmentIntake(recipient: recipient, authSecret: secret, capabilities: LivepeerCapabilities.advertisement(capacity: 4))
        }

        func params() throws -> TicketParams {
            try recipient.ticketParams(sender: broadcaster.address,
                                       funds: SenderFunds(deposit: UInt256(10_000_000_000_000_000_000), reserve: UInt256(10_000_000_000_000_000_000)),
                                       activeSetSize: 100, price: price, context: context, seed: Keccak256.hash([9]))
        }

        /// Headers and body for a segment of `body` paid for `pixels`.
        func request(body: [UInt8], pixels: UInt64 = 50_000_000, seq: Int64 = 0, signer: PrivateKey? = nil,
                     token: Net_AuthToken? = nil, hash: Data? = nil) throws -> (segment: String, payment: String) {
            let paid = try sender.pay(session: "m", params: params(), price: price, pixels: pixels,
                                      deposit: UInt256(10_000_000_000_000_000_000), reserve: UInt256(10_000_000_000_000_000_000),
                                      currentBlock: context.currentBlock)
            var segment = Net_SegData()
            segment.manifestID = Data("manifest-1".utf8)
            segment.seq = seq
            segment.hash = hash ?? Data(Keccak256.hash(body).bytes)
            segment.profiles = Data([0x01, 0x02])
            segment.authToken = token ?? AuthTokens.make(secret: secret, sessionID: "s1", expiration: now + 1_800)
            segment.sig = Data(try (signer ?? broadcaster).signMessage(SegmentSigning.message(segment)).bytes)
            return (try segment.serializedData().base64EncodedString(), try paid.payment.wire.serializedData().base64EncodedString())
        }

        func accept(_ request: (segment: String, payment: String), body: [UInt8], capacity: Bool = true) -> Result<AcceptedSegment, SegmentRefusal> {
            intake.accept(segmentHeader: request.segment, paymentHeader: request.payment, body: body, context: context,
                          now: now, hasCapacity: { capacity }).0
        }
    }

    static func refusal(_ result: Result<AcceptedSegment, SegmentRefusal>) -> SegmentRefusal? {
        if case .failure(let refusal) = result { return refusal }
        return nil
    }

    static func status(_ result: Result<AcceptedSegment, SegmentRefusal>) -> Int {
        switch result {
        case .success: 200
        case .failure(let refusal): refusal.status
        }
    }

    @Test("a good request is accepted and its tickets credited")
    func accepts() throws {
        let setup = try Setup()
        let body = Array("segment bytes".utf8)
        let result = setup.accept(try setup.request(body: body), body: body)
        #expect(Self.status(result) == 200)
        if case .success(let accepted) = result {
            #expect(accepted.sender == setup.broadcaster.address && (accepted.payment?.accepted ?? 0) > 0)
        }
    }

    @Test("402, 403, 400: unparsable payment, bad segment signature, bad auth token, capacity, failed payment, low credit, wrong hash")
    func refusals() throws {
        let setup = try Setup()
        let body = Array("segment bytes".utf8)
        var garbage = try setup.request(body: body)
        garbage.payment = "not base64!"
        #expect(Self.status(setup.accept(garbage, body: body)) == 402)
        #expect(Self.refusal(setup.accept(garbage, body: body))?.description == "unparsable payment: Livepeer-Payment is not base64")
        var noise = try setup.request(body: body)
        noise.payment = Data([0xff, 0xff, 0xff]).base64EncodedString()
        #expect(Self.status(setup.accept(noise, body: body)) == 402)
        #expect(Self.refusal(setup.accept(try setup.request(body: body, signer: PrivateKey.generate()), body: body)) == .badSegmentSignature)
        let expired = AuthTokens.make(secret: setup.secret, sessionID: "s1", expiration: setup.now - 1)
        #expect(Self.refusal(setup.accept(try setup.request(body: body, token: expired), body: body)) == .badAuthToken)
        let forged = AuthTokens.make(secret: Array("other".utf8), sessionID: "s1", expiration: setup.now + 60)
        #expect(Self.refusal(setup.accept(try setup.request(body: body, token: forged), body: body)) == .badAuthToken)
        #expect(Self.refusal(setup.accept(try setup.request(body: body), body: body, capacity: false)) == .overCapacity)
        // Tickets replayed: every ticket refused → 400.
        let once = try setup.request(body: body)
        _ = setup.accept(once, body: body)
        #expect(Self.status(setup.accept(once, body: body)) == 400)
        // Body not what was signed.
        #expect(Self.refusal(setup.accept(try setup.request(body: body), body: Array("other bytes".utf8))) == .hashMismatch)
    }

    @Test("a payment with no tickets while the sender's credit is spent: 400, credit below one ticket's EV")
    func lowCredit() throws {
        let setup = try Setup()
        let body = Array("x".utf8)
        #expect(Self.status(setup.accept(try setup.request(body: body), body: body)) == 200)
        // The orchestrator charges more than was credited; the sender, still holding credit on its side, sends no tickets.
        _ = try setup.recipient.charge(sender: setup.broadcaster.address, segmentSeq: 0, pixels: 10_000_000_000, price: setup.price)
        let second = try setup.request(body: body, pixels: 1, seq: 1)
        guard case .failure(.creditBelowTicketEV) = setup.accept(second, body: body) else {
            Issue.record("expected credit below one ticket's EV")
            return
        }
    }

    @Test("the Payment's wire bytes decode with protoc (an independent protobuf implementation)")
    func protocDecodes() throws {
        let setup = try Setup()
        let paid = try setup.sender.pay(session: "p", params: setup.params(), price: setup.price, pixels: 50_000_000,
                                        deposit: UInt256(10_000_000_000_000_000_000), reserve: UInt256(10_000_000_000_000_000_000),
                                        currentBlock: 100)
        let bytes = try paid.payment.wire.serializedData()
        let proto = PythonOracle.packageRoot.appendingPathComponent("Protos").path
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("payment-\(UUID().uuidString).bin").path
        try bytes.write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        try MediaTools.requireTool("protoc")
        let result = try MediaTools.run("sh", ["-c", "protoc --decode=net.Payment -I \(proto) \(proto)/net.proto < \(file)"])
        let text = result.stderr.isEmpty ? String(decoding: result.stdout, as: UTF8.self) : result.stderr
        #expect(result.status == 0, "\(text)")
        #expect(text.contains("sender_nonce: 1"))
        #expect(text.contains("pricePerUnit: 1200") && text.contains("pixelsPerUnit: 1"))
        #expect(text.contains("creation_round: 3"))
        #expect(text.components(separatedBy: "ticket_sender_params {").count - 1 == paid.payment.senderParams.count)
        // And back: the same payment.
        #expect(try Payment(wire: Net_Payment(serializedBytes: bytes)) == paid.payment)
    }
}

/// An orchestrator's error sent to a broadcaster names the file that failed, not where its files are kept.
@Suite("public error messages")
struct PublicMessageTests {
    @Test("absolute paths are cut to their last component; everything else is kept")
    func redaction() {
        #expect(PublicMessage.redactingPaths("transcode failed: cannot open /srv/streamflow/out/show/source_3.ts as media: Invalid data")
                == "transcode failed: cannot open …/source_3.ts as media: Invalid data")
        #expect(PublicMessage.redactingPaths("missing file \"/tmp/a/b.ts\", 2/3 done, 1/2 left")
                == "missing file \"…/b.ts\", 2/3 done, 1/2 left")
        #expect(PublicMessage.redactingPaths("/etc at /x") == "/etc at /x")
    }
}
