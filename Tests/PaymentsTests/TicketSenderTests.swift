import EthCrypto
import Foundation
import Testing
@testable import Payments

/// The broadcaster's side: how many tickets a segment needs, the limits it enforces, and nonces that stay
/// unique under concurrency and untouched when a payment is refused.
@Suite("ticket sender")
struct TicketSenderTests {
    @Test("tickets = ceil((max(fee, EV) − credit) / EV) with 2% more pixels; credit carries over and never runs below zero")
    func ticketCount() throws {
        let fixture = try PaymentsFixture()
        let params = try fixture.params()
        let ev = params.expectedValue
        func pay(_ pixels: UInt64) throws -> SenderPayment {
            try fixture.sender.pay(session: "a", params: params, price: fixture.price, pixels: pixels,
                                   deposit: fixture.funds.deposit, reserve: fixture.funds.reserve, currentBlock: 1_000)
        }
        // A fee of several EVs: ceil(fee / EV) tickets, the leftover credited.
        let first = try pay(20_000_000)
        let fee = try fixture.price.fee(pixels: 20_400_000)
        #expect(first.fee == fee)
        #expect(UInt256(UInt64(first.payment.senderParams.count)) == (try UInt256.mulDiv(fee, .one, ev, rounding: .up)))
        let leftover = try UInt256(UInt64(first.payment.senderParams.count)) * ev - fee
        #expect(fixture.sender.credit(session: "a") == leftover)
        #expect(first.payment.senderParams.map(\.senderNonce) == Array(1...UInt32(first.payment.senderParams.count)))
        #expect(first.events.count == first.payment.senderParams.count)
        // A tiny fee still tops the credit up to one EV (the orchestrator wants ≥ EV before it works).
        let small = try pay(1)
        let expected = leftover >= ev ? 0 : Int((try UInt256.mulDiv(ev - leftover, .one, ev, rounding: .up)).uint64Value!)
        #expect(small.payment.senderParams.count == expected)
        #expect(fixture.sender.credit(session: "a") == (try leftover + UInt256(UInt64(expected)) * ev - small.fee))
        #expect(try leftover + UInt256(UInt64(expected)) * ev >= ev)
    }

    @Test("refusals: no deposit, no reserve, expired params, EV too high, total EV too high, face value above deposit share")
    func refusals() throws {
        let fixture = try PaymentsFixture()
        let params = try fixture.params()
        let (deposit, reserve) = (fixture.funds.deposit, fixture.funds.reserve)
        func pay(_ params: TicketParams, pixels: UInt64 = 1_000, deposit: UInt256 = deposit, reserve: UInt256 = reserve,
                 block: UInt64 = 1_000) throws(PaymentError) {
            _ = try fixture.sender.pay(session: "s", params: params, price: fixture.price, pixels: pixels, deposit: deposit,
                                       reserve: reserve, currentBlock: block)
        }
        #expect(throws: PaymentError.noDeposit) { try pay(params, deposit: .zero) }
        #expect(throws: PaymentError.noReserve) { try pay(params, reserve: .zero) }
        #expect(throws: PaymentError.paramsExpired(expirationBlock: params.expirationBlock, currentBlock: params.expirationBlock + 1)) {
            try pay(params, block: params.expirationBlock + 1)
        }
        #expect(throws: PaymentError.faceValueAboveDepositShare(faceValue: params.faceValue.description, allowed: "1000")) {
            try pay(params, deposit: UInt256(1_000))
        }
        var rich = params
        rich.winProb = try TicketLottery.winProb(expectedValue: UInt256(4_000_000_000_000), faceValue: params.faceValue)
        #expect(throws: PaymentError.self) { try pay(rich) }
        // 20e12 wei of EV at 8e9 per ticket is 2,500 tickets: a segment needing more is refused.
        #expect(throws: PaymentError.self) { try pay(params, pixels: 20_000_000_000) }
        // Nothing was consumed: the next payment starts at nonce 1 with no credit.
        #expect(fixture.sender.credit(session: "s") == .zero)
        let ok = try fixture.sender.pay(session: "s", params: params, price: fixture.price, pixels: 1_000,
                                        deposit: deposit, reserve: reserve, currentBlock: 1_000)
        #expect(ok.payment.senderParams.map(\.senderNonce) == [1])
    }

    @Test("8 threads × 50 payments: 400 distinct, contiguous nonces; every payment is accepted")
    func concurrentNonces() async throws {
        let fixture = try PaymentsFixture()
        let params = try fixture.params()
        let payments = try await withThrowingTaskGroup(of: [Payment].self) { group in
            for thread in 0..<8 {
                group.addTask {
                    try (0..<50).map { _ in try fixture.payment(tickets: 1, params: params, session: "t\(thread)") }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let nonces = payments.flatMap { $0.senderParams.map(\.senderNonce) }.sorted()
        #expect(nonces == Array(1...400))
        var accepted = 0
        for payment in payments { accepted += fixture.recipient.receive(payment, context: fixture.context).accepted }
        #expect(accepted == 400)
    }
}
