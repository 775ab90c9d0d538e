import EthCrypto
import Foundation
import JSONCore
import Testing
@testable import Payments

/// Each rejection reason, and proof that a rejection changes nothing: no credit, no nonce consumed (the same
/// nonce is accepted afterwards from a good payment), only a `ticket.rejected` event.
@Suite("recipient rejections")
struct RecipientRejectionTests {
    /// secp256k1's group order n.
    static let curveOrder = try! UInt256(hex: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

    /// Signs tickets under `params` with `key` directly, bypassing the sender's own checks.
    static func forge(_ fixture: PaymentsFixture, params: TicketParams, nonces: [UInt32], key: PrivateKey? = nil,
                      mutateSig: (inout [UInt8]) -> Void = { _ in }) throws -> Payment {
        let key = key ?? fixture.senderKey
        let senderParams = try nonces.map { nonce in
            var sig = try key.signMessage(params.ticket(sender: fixture.sender.address, senderNonce: nonce).hash.bytes).bytes
            mutateSig(&sig)
            return TicketSenderParams(senderNonce: nonce, sig: sig)
        }
        return Payment(sender: fixture.sender.address, ticketParams: params, senderParams: senderParams,
                       expectedPrice: fixture.price)
    }

    /// Receives `bad`, checks every ticket is rejected for `reason` with nothing changed, then shows the nonces
    /// still work in a good payment (when `thenAccept`).
    static func expectRejected(_ fixture: PaymentsFixture, _ bad: Payment, _ reason: TicketRejectionReason,
                               context: ValidationContext? = nil, thenAccept: Bool = true) throws {
        let before = fixture.recipient.ledger
        let outcome = fixture.recipient.receive(bad, context: context ?? fixture.context)
        #expect(outcome.accepted == 0)
        #expect(outcome.credited == .zero)
        #expect(outcome.rejections.map(\.reason) == Array(repeating: reason, count: bad.senderParams.count))
        #expect(outcome.events.allSatisfy { if case .ticketRejected = $0 { true } else { false } })
        #expect(fixture.recipient.ledger == before, "a rejection must not change the ledger")
        guard thenAccept else { return }
        let good = try forge(fixture, params: fixture.params(), nonces: bad.senderParams.map(\.senderNonce))
        let accepted = fixture.recipient.receive(good, context: fixture.context)
        #expect(accepted.accepted == good.senderParams.count, "the rejected nonces were not consumed")
    }

    @Test("a valid payment is credited its EV per ticket and its nonces are recorded")
    func accepts() throws {
        let fixture = try PaymentsFixture()
        let payment = try fixture.payment(tickets: 3)
        let outcome = fixture.recipient.receive(payment, context: fixture.context)
        #expect(outcome.accepted == 3)
        #expect(outcome.rejections.isEmpty)
        let ev = payment.ticketParams.expectedValue
        #expect(outcome.credited == (try ev * UInt256(3)))
        let account = fixture.recipient.ledger.account(recipient: fixture.recipient.address, sender: fixture.sender.address)
        #expect(account.credited == outcome.credited)
        #expect(fixture.recipient.ledger.nonces[payment.ticketParams.recipientRandHash.hex] == [1, 2, 3])
    }

    @Test("bad signature: signed by another key")
    func badSignature() throws {
        let fixture = try PaymentsFixture()
        let bad = try Self.forge(fixture, params: fixture.params(), nonces: [1, 2], key: PrivateKey.generate())
        try Self.expectRejected(fixture, bad, .badSignature)
    }

    @Test("high S: the malleable twin of a valid signature")
    func highS() throws {
        let fixture = try PaymentsFixture()
        let bad = try Self.forge(fixture, params: fixture.params(), nonces: [1]) { sig in
            let s = try! UInt256(bigEndian: sig[32..<64])
            sig.replaceSubrange(32..<64, with: (try! Self.curveOrder - s).bigEndianBytes)
            sig[64] = sig[64] == 27 ? 28 : 27
        }
        try Self.expectRejected(fixture, bad, .signatureHighS)
    }

    @Test("wrong V: 29 instead of 27/28")
    func wrongV() throws {
        let fixture = try PaymentsFixture()
        let bad = try Self.forge(fixture, params: fixture.params(), nonces: [1]) { $0[64] = 29 }
        try Self.expectRejected(fixture, bad, .signatureBadV)
    }

    @Test("wrong recipient")
    func wrongRecipient() throws {
        let fixture = try PaymentsFixture()
        var params = try fixture.params()
        params.recipient = try PrivateKey.generate().address
        try Self.expectRejected(fixture, try Self.forge(fixture, params: params, nonces: [1]), .wrongRecipient)
    }

    @Test("params not issued by this recipient (face value changed): recipientRand does not match")
    func paramsMismatch() throws {
        let fixture = try PaymentsFixture()
        var params = try fixture.params()
        params.faceValue = try params.faceValue + .one
        try Self.expectRejected(fixture, try Self.forge(fixture, params: params, nonces: [1]), .paramsMismatch)
    }

    @Test("replayed nonce: the same payment twice")
    func replayedNonce() throws {
        let fixture = try PaymentsFixture()
        let payment = try fixture.payment(tickets: 2)
        #expect(fixture.recipient.receive(payment, context: fixture.context).accepted == 2)
        try Self.expectRejected(fixture, payment, .nonceReplayed, thenAccept: false)
        // A nonce repeated inside one payment: the first is accepted, the second refused.
        let twice = try Self.forge(fixture, params: fixture.params(), nonces: [7, 7])
        let outcome = fixture.recipient.receive(twice, context: fixture.context)
        #expect(outcome.accepted == 1 && outcome.rejections.map(\.reason) == [.nonceReplayed])
    }

    @Test("too many nonces: the 601st for one recipientRand")
    func tooManyNonces() throws {
        let fixture = try PaymentsFixture()
        let params = try fixture.params()
        let full = try Self.forge(fixture, params: params, nonces: Array(1...600))
        #expect(fixture.recipient.receive(full, context: fixture.context).accepted == 600)
        try Self.expectRejected(fixture, try Self.forge(fixture, params: params, nonces: [601]), .tooManyNonces,
                                thenAccept: false)
        // Other params (another seed, so another rand) still take nonce 601.
        let other = try Self.forge(fixture, params: fixture.params(seed: 8), nonces: [601])
        #expect(fixture.recipient.receive(other, context: fixture.context).accepted == 1)
    }

    @Test("expired params: one block past the expiration block")
    func expiredParams() throws {
        let fixture = try PaymentsFixture()
        let params = try fixture.params()
        var later = fixture.context
        later.currentBlock = params.expirationBlock + 1
        try Self.expectRejected(fixture, try Self.forge(fixture, params: params, nonces: [1]), .paramsExpired, context: later)
        later.currentBlock = params.expirationBlock
        #expect(fixture.recipient.receive(try Self.forge(fixture, params: params, nonces: [2]), context: later).accepted == 1)
    }

    @Test("expired round: creation round 10 is not valid in round 12, nor with another block hash")
    func expiredRound() throws {
        let fixture = try PaymentsFixture()
        let params = try fixture.params()
        var later = fixture.context
        later.currentRound = 12
        later.roundBlockHashes[12] = .zero
        try Self.expectRejected(fixture, try Self.forge(fixture, params: params, nonces: [1]), .roundInvalid, context: later)
        var forked = fixture.context
        forked.roundBlockHashes[10] = .zero
        try Self.expectRejected(fixture, try Self.forge(fixture, params: params, nonces: [2]), .roundInvalid, context: forked)
        var next = fixture.context
        next.currentRound = 11
        #expect(fixture.recipient.receive(try Self.forge(fixture, params: params, nonces: [3]), context: next).accepted == 1)
    }

    @Test("face value at or below the transaction cost (gas price rose since the params were issued)")
    func faceValueAtTransactionCost() throws {
        let fixture = try PaymentsFixture()
        let params = try fixture.params()
        var dear = fixture.context
        // redeemGas 350,000 · gasPrice = face value exactly: "at" is refused too.
        dear.gasPrice = try params.faceValue / UInt256(350_000)
        #expect(try UInt256(350_000) * dear.gasPrice == params.faceValue)
        try Self.expectRejected(fixture, try Self.forge(fixture, params: params, nonces: [1]), .faceValueBelowTxCost,
                                context: dear)
    }

    @Test("zero winProb")
    func zeroWinProb() throws {
        let fixture = try PaymentsFixture()
        var params = try fixture.params()
        params.winProb = .zero
        try Self.expectRejected(fixture, try Self.forge(fixture, params: params, nonces: [1]), .zeroWinProb)
    }

    @Test("malformed JSON and malformed fields: one typed rejection naming the problem; nothing changes")
    func malformedJSON() throws {
        let fixture = try PaymentsFixture()
        let payment = try fixture.payment(tickets: 1)
        let good = Array(payment.json.description.utf8)
        for bad in [Array(good.dropLast(3)), Array("not json".utf8),
                    Array(payment.json.description.replacingOccurrences(of: "\"sig\":\"0x", with: "\"sig\":\"0xzz").utf8),
                    Array(payment.json.description.replacingOccurrences(of: "\"seed\"", with: "\"seeds\"").utf8)] {
            let before = fixture.recipient.ledger
            let outcome = fixture.recipient.receive(json: bad, context: fixture.context)
            #expect(outcome.rejections.map(\.reason) == [.malformed])
            #expect(outcome.accepted == 0)
            #expect(fixture.recipient.ledger == before)
        }
        // The JSON round-trips and the untouched bytes are accepted.
        #expect(try Payment(json: JSONParser.parse(good)) == payment)
        #expect(fixture.recipient.receive(json: good, context: fixture.context).accepted == 1)
    }
}
