import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
import LMDB
import Testing
@testable import Payments

/// Every payment state change is an event: appended to a real log, the `payments` projection rebuilt from
/// sequence 0 is byte-identical to the live recipient's ledger.
@Suite("payments ledger replay")
struct LedgerReplayTests {
    @Test("a session's events in the log rebuild the live ledger byte for byte")
    func rebuildMatchesLive() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-pay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog(directory: directory, options: .init(durability: .noSync))
        defer { log.close() }
        // A high win probability, so winners (and pending face value) show up in a short run.
        let fixture = try PaymentsFixture(
            policy: TicketPolicy(expectedValue: UInt256(20_000_000_000_000_000)),
            limits: SenderLimits(maxTicketEV: UInt256(100_000_000_000_000_000), maxTotalEV: UInt256(1_000_000_000_000_000_000)))
        let params = try fixture.params()
        var envelopes: [EventEnvelope] = []
        var time: Int64 = 1_700_000_000_000
        func add(_ events: [PaymentEvent], id: String) {
            for (index, event) in events.enumerated() {
                time += 1
                envelopes.append(event.envelope(id: "\(id)/\(index)/\(event.type)", timestamp: time, session: "s1"))
            }
        }
        for seq in 0..<40 {
            let sent = try fixture.sender.pay(session: "s1", params: params, price: fixture.price, pixels: 20_000_000_000_000,
                                              deposit: fixture.funds.deposit, reserve: fixture.funds.reserve,
                                              currentBlock: 1_000, segmentSeq: UInt64(seq))
            add(sent.events, id: "b/\(seq)")
            var payment = sent.payment
            if seq % 10 == 3, !payment.senderParams.isEmpty { payment.senderParams[0].sig[64] = 30 }  // some rejections
            let received = fixture.recipient.receive(payment, context: fixture.context)
            add(received.events, id: "o/\(seq)/receive")
            let charge = try fixture.recipient.charge(sender: fixture.sender.address, segmentSeq: UInt64(seq),
                                                      pixels: 20_000_000_000_000, price: fixture.price)
            add([charge], id: "o/\(seq)/charge")
        }
        _ = try await log.append(envelopes)  // every envelope validates against its schema, or this throws
        let live = fixture.recipient.ledger
        #expect(!live.pending.isEmpty, "winners are pending")
        #expect(live.account(recipient: fixture.recipient.address, sender: fixture.sender.address).segmentsCharged == 40)
        let liveBytes = try CanonicalJSON.encode(JSONValueEncoder().encode(live))
        let rebuilt = try ProjectionReplay.fold(PaymentsLedgerProjection(), log: log, through: log.head.sequence)
        #expect(rebuilt == liveBytes)
        let decoded = try JSONValueDecoder().decode(RecipientLedger.self, from: JSONParser.parse(rebuilt))
        #expect(decoded == live)
        // The stored projection (state and checkpoint committed together) agrees too.
        let runner = try ProjectionRunner(log: log, projections: [PaymentsLedgerProjection()])
        _ = try runner.catchUp()
        #expect(try runner.storedState(named: "payments") == liveBytes)
        // A recipient restarted from the projection refuses the nonces it had already accepted.
        let restarted = TicketRecipient(validator: fixture.recipient.validator, ledger: decoded)
        let again = try RecipientRejectionTests.forge(fixture, params: params, nonces: [1])
        #expect(restarted.receive(again, context: fixture.context).rejections.map(\.reason) == [.nonceReplayed])
    }
}
