import Audit
import EthCrypto
import EventLog
import Projections
import EventModel
import Foundation
import JSONCore
import LMDB
import Testing
@testable import Payments
import TestSupport

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
        let host = try ProjectionHost(log: log, projections: [PaymentsLedgerProjection()])
        _ = try host.catchUp()
        #expect(try ProjectionReplay.storedStatesByName(log: log)["payments"]?.1 == liveBytes)
        #expect(try host.state(of: PaymentsLedgerProjection.self) == live)
        // `replay verify` checks every ticket signature in payment.received and ticket.won events.
        let report = try LogVerifier.verify(log)
        #expect(report.passed, "\(String(describing: report.failure))")
        let expectedSignatures = envelopes.reduce(0) { total, envelope in
            switch PaymentEvent(envelope: envelope) {
            case .paymentReceived(let received)?: total + received.tickets.count
            case .ticketWon?, .ticketIssued?: total + 1
            default: total
            }
        }
        #expect(report.signatures == expectedSignatures)
        try Self.pythonCrossCheck(log)
        // A recipient restarted from the projection refuses the nonces it had already accepted.
        let restarted = TicketRecipient(validator: fixture.recipient.validator, ledger: decoded)
        let again = try RecipientRejectionTests.forge(fixture, params: params, nonces: [1])
        #expect(restarted.receive(again, context: fixture.context).rejections.map(\.reason) == [.nonceReplayed])
    }

    @Test("a ticket's acceptance recorded twice (a killed run's event reaching the log late) credits once, in either order")
    func duplicateAcceptanceCreditsOnce() throws {
        let fixture = try PaymentsFixture()
        let payment = try fixture.payment(tickets: 3)
        let terms = payment.ticketParams.ticket(sender: payment.sender, senderNonce: 0)
        let ev = payment.ticketParams.expectedValue
        let all = PaymentEvent.paymentReceived(.init(terms: terms, tickets: payment.senderParams, expectedValue: ev))
        let lastTwo = PaymentEvent.paymentReceived(.init(terms: terms, tickets: Array(payment.senderParams.suffix(2)), expectedValue: ev))
        var once = RecipientLedger()
        once.apply(all)
        for order in [[all, lastTwo], [lastTwo, all], [all, all]] {
            var ledger = RecipientLedger()
            order.forEach { ledger.apply($0) }
            let account = ledger.account(recipient: terms.recipient, sender: terms.sender)
            #expect(account == once.account(recipient: terms.recipient, sender: terms.sender))
            let expected = try ev * UInt256(3)
            #expect(account.ticketsReceived == 3 && account.credited == expected)
            #expect(ledger == once)
        }
    }

    @Test("verify names a payment.received whose ticket signature is not the sender's")
    func verifyCatchesForgedTicket() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-pay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog(directory: directory, options: .init(durability: .noSync))
        defer { log.close() }
        let fixture = try PaymentsFixture()
        let payment = try fixture.payment(tickets: 3)
        var received = PaymentEvent.ReceivedPayment(
            terms: payment.ticketParams.ticket(sender: payment.sender, senderNonce: 0), tickets: payment.senderParams,
            expectedValue: payment.ticketParams.expectedValue)
        let good = PaymentEvent.paymentReceived(received).envelope(id: "good", timestamp: 1)
        received.tickets[2].sig = try RecipientRejectionTests.forge(
            fixture, params: payment.ticketParams, nonces: [received.tickets[2].senderNonce], key: PrivateKey.generate()).senderParams[0].sig
        let forged = PaymentEvent.paymentReceived(received).envelope(id: "forged", timestamp: 2)
        _ = try await log.append([good, forged])
        let report = try LogVerifier.verify(log)
        #expect(report.failure?.sequence == 2)
        #expect(report.failure?.reason.contains("not the sender") == true)
    }

    /// Python's jsonschema validates every payload against Schemas/, and eth-account recovers every ticket
    /// signature of every payment.received from its terms and nonce: the compact form loses nothing.
    static func pythonCrossCheck(_ log: EventLog) throws {
        var export: [UInt8] = []
        try LogExporter.export(log) { export += $0 }
        let schemas = PythonOracle.packageRoot.appendingPathComponent("Schemas").path
        let script = """
            import sys, json, os
            from jsonschema import Draft202012Validator
            from eth_hash.auto import keccak
            from eth_account import Account
            from eth_account.messages import encode_defunct
            schemas = \(String(reflecting: schemas))
            u = lambda n: int(n).to_bytes(32, "big")
            h = lambda x: bytes.fromhex(x[2:])
            errors, tickets, payments = [], 0, 0
            for raw in sys.stdin.read().splitlines():
                e = json.loads(raw)
                with open(os.path.join(schemas, f"{e['type']}.v{e['version']}.schema.json")) as f:
                    v = Draft202012Validator(json.load(f))
                errors += [f"{e['seq']} {e['type']}: {x.message}" for x in v.iter_errors(e["payload"])]
                if e["type"] != "payment.received":
                    continue
                payments += 1
                t = e["payload"]["terms"]
                for entry in e["payload"]["tickets"]:
                    m = h(t["recipient"]) + h(t["sender"]) + u(t["faceValue"]) + u(t["winProb"]) + u(entry["senderNonce"]) + h(t["recipientRandHash"]) + u(t["creationRound"]) + h(t["creationRoundBlockHash"])
                    signer = Account.recover_message(encode_defunct(primitive=keccak(m)), signature=h(entry["sig"]))
                    if signer != t["sender"]:
                        errors.append(f"{e['seq']}: nonce {entry['senderNonce']} recovers to {signer}")
                    tickets += 1
            print(json.dumps({"errors": errors, "tickets": tickets, "payments": payments}))
            """
        struct Result: Decodable { let errors: [String]; let tickets: Int; let payments: Int }
        let result = try JSONDecoder().decode(Result.self, from: PythonOracle.run(script: script, input: Data(export)))
        #expect(result.errors.isEmpty, "\(result.errors.prefix(5))")
        #expect(result.payments > 0 && result.tickets >= result.payments)
    }
}
