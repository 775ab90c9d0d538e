import Audit
import EthCrypto
import EventLog
import EventModel
import Foundation
import Projections
import JSONCore
import LMDB
import Payments

/// The demo's payments section: a broadcaster pays 30 segments of 720p30 to an orchestrator with signed
/// Livepeer tickets; the orchestrator validates, credits, charges and finds winners; a replayed payment is
/// refused; every change goes into the log and the `payments` projection rebuilds to the live ledger.
enum DemoPayments {
    static func run(directory: URL) throws {
        print("\n5. Probabilistic micropayments: 30 segments of 720p30 paid with tickets")
        let broadcaster = TicketSender(key: try PrivateKey.generate())
        let orchestrator = TicketRecipient(validator: TicketValidator(
            recipient: try PrivateKey.generate().address, secret: try RecipientSecret.generate()))
        // A demo chain where gas costs 1 wei, so the face value is EV × 100 and about 1 ticket in 100 wins.
        let context = ValidationContext(currentBlock: 1_000, currentRound: 7, roundBlockHashes: [7: Keccak256.hash([7])],
                                        gasPrice: .one)
        let funds = SenderFunds(deposit: UInt256(1_000_000_000_000_000_000), reserve: UInt256(1_000_000_000_000_000_000))
        let price = try PriceInfo(pricePerUnit: UInt256(1_200), pixelsPerUnit: .one)
        let params = try orchestrator.ticketParams(sender: broadcaster.address, funds: funds, activeSetSize: 100,
                                                   price: price, context: context, seed: Hash32(bytes: SecureRandom.bytes(32)))
        print(String(format: "   params: face value %@ wei, win probability %.4f, EV %@ wei", params.faceValue.description,
                     params.winProb.doubleValue / UInt256.max.doubleValue, params.expectedValue.description))
        let log = try EventLog(directory: directory.appendingPathComponent("payments-log").path,
                               options: .init(durability: .noSync))
        defer { log.close() }
        var envelopes: [EventEnvelope] = []
        var text = EventText()
        var time: Int64 = 1_764_288_000_000
        func record(_ events: [PaymentEvent], _ id: String) {
            for (index, event) in events.enumerated() {
                time += 1
                envelopes.append(event.envelope(id: "\(id)/\(index)", timestamp: time, session: "demo", text: &text))
            }
        }
        let pixels: UInt64 = 1_280 * 720 * 60
        var tickets = 0, winners = 0
        var last: Payment?
        for seq in 0..<30 {
            let sent = try broadcaster.pay(session: "demo", params: params, price: price, pixels: pixels,
                                           deposit: funds.deposit, reserve: funds.reserve, currentBlock: context.currentBlock,
                                           segmentSeq: UInt64(seq))
            record(sent.events, "b/\(seq)")
            let received = orchestrator.receive(sent.payment, context: context)
            record(received.events, "o/\(seq)")
            record([try orchestrator.charge(sender: broadcaster.address, segmentSeq: UInt64(seq), pixels: pixels, price: price)],
                   "o/\(seq)/charge")
            tickets += received.accepted
            winners += received.winners.count
            if !sent.payment.senderParams.isEmpty { last = sent.payment }
        }
        if let last {
            let replay = orchestrator.receive(last, context: context)
            record(replay.events, "o/replay")
            print("   a replayed payment: \(replay.rejections.count) tickets refused (\(replay.rejections.first?.reason.rawValue ?? "-"))")
        }
        _ = try log.appendAndWait(envelopes.map { try PreparedEvent($0) })
        let account = orchestrator.ledger.account(recipient: orchestrator.address, sender: broadcaster.address)
        print("   \(tickets) tickets accepted, \(winners) winning; credited \(account.credited) wei, charged \(account.debited) wei")
        print("   \(envelopes.count) events in the log; pending winners \(orchestrator.ledger.pending.count)")
        let report = try LogVerifier.verify(log)
        print("   verify: \(report.passed ? "ok" : "FAILED"), \(report.signatures) signatures checked")
        let rebuilt = try ProjectionReplay.fold(PaymentsLedgerProjection(), log: log, through: log.head.sequence)
        let live = try CanonicalJSON.encode(JSONValueEncoder().encode(orchestrator.ledger))
        print("   payments ledger rebuilt from the log: \(rebuilt == live ? "byte-identical to the live one" : "MISMATCH")")
    }
}
