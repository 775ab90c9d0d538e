import EthCrypto
import Testing
@testable import Payments

/// go-livepeer's own test vectors (LIVEPEER-FACTS.md): ticket hashes and winProb values.
@Suite("go-livepeer vectors")
struct TicketVectorTests {
    static func ticket(recipient: Address = .zero, faceValue: UInt64 = 0, winProb: UInt64 = 0, nonce: UInt32 = 0,
                       round: Int64 = 0, blockHash: Hash32 = .zero) -> Ticket {
        Ticket(recipient: recipient, sender: .zero, faceValue: UInt256(faceValue), winProb: UInt256(winProb),
               senderNonce: nonce, recipientRandHash: .zero, creationRound: round, creationRoundBlockHash: blockHash)
    }

    @Test("ticket hashes match go-livepeer's")
    func hashes() throws {
        #expect(Self.ticket(nonce: 4_294_967_295).hash.hex == "0xe1393fc7f6de093780674022f96cb8e3872235167d037c04d554e58c0e63d280")
        #expect(Self.ticket(nonce: 1).hash.hex == "0xce0918ba94518293e9712effbe5fca4f1f431089833a5b8c257cb1e024595f68")
        #expect(Self.ticket(faceValue: 1, winProb: 500).hash.hex == "0x87ef13f2d37e4d5352a01d3c77b8179d80e0887f1953bfabfd0bfd7b0f689ddd")
        let recipient = try Address("0x73AEd7b5dEb30222fa896f399d46cC99c7BEe57F")
        #expect(Self.ticket(recipient: recipient).hash.hex == "0x81e353ae39046e2b77b9f996abbaeed527fda559b61ef90f299c4499dd508ccc")
        let blockHash = try Hash32(hex: "0x41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d")
        #expect(Self.ticket(round: 10, blockHash: blockHash).hash.hex == "0xe502907c16036ab3d11b78c5a2e93c20f3d6415c67f91de4ed01348182b3b2e2")
    }

    @Test("face value and winProb for EV 5, redeemGas 10,000, multiplier 100")
    func winProbVectors() throws {
        let policy = TicketPolicy(expectedValue: UInt256(5), redeemGas: 10_000, txCostMultiplier: 100)
        let cheap = try policy.lottery(gasPrice: UInt256(100), maxFloat: .max)
        #expect(cheap.faceValue == UInt256(100_000_000))
        #expect(cheap.winProb.description == "5789604461865809771178549250434395392663499233282028201972879200395660")
        let dear = try policy.lottery(gasPrice: UInt256(777), maxFloat: .max)
        #expect(dear.faceValue == UInt256(777_000_000))
        #expect(dear.winProb.description == "745122839364969082519761808292714979750772102095499125093034646125570")
        #expect(TicketLottery.expectedValue(faceValue: dear.faceValue, winProb: dear.winProb) == UInt256(5))
    }

    @Test("face value: txCost × multiplier, or EV × multiplier when that is below EV; capped by max float; refused at or below the transaction cost")
    func faceValueRules() throws {
        let policy = TicketPolicy(expectedValue: UInt256(1_000_000), redeemGas: 10, txCostMultiplier: 100)
        // txCost·100 = 1,000 < EV·100 = 1e8: EV wins.
        #expect(try policy.faceValue(gasPrice: UInt256(1), maxFloat: .max) == UInt256(100_000_000))
        #expect(try policy.faceValue(gasPrice: UInt256(1), maxFloat: UInt256(5_000_000)) == UInt256(5_000_000))
        // txCost·100 = 5e6 ≥ EV = 1e6: go-livepeer keeps txCost·100 (pm/recipient.go), not EV·100.
        #expect(try policy.faceValue(gasPrice: UInt256(5_000), maxFloat: .max) == UInt256(5_000_000))
        #expect(throws: PaymentError.faceValueBelowTransactionCost(faceValue: "10", transactionCost: "10")) {
            try policy.faceValue(gasPrice: UInt256(1), maxFloat: UInt256(10))
        }
        #expect(throws: PaymentError.expectedValueNotBelowFaceValue) {
            try policy.faceValue(gasPrice: UInt256(1), maxFloat: UInt256(1_000_000))
        }
    }

    @Test("max float: the reserve share, less pending unless the deposit covers it three times")
    func maxFloat() {
        let funds = SenderFunds(deposit: UInt256(300), reserve: UInt256(1_000), claimedInCurrentRound: UInt256(200),
                                claimedByMe: UInt256(20))
        #expect(funds.reserveAllocation(activeSetSize: 10) == UInt256(100))
        #expect(funds.maxFloat(pending: .zero, activeSetSize: 10) == UInt256(100))
        #expect(funds.maxFloat(pending: UInt256(100), activeSetSize: 10) == UInt256(100))
        #expect(funds.maxFloat(pending: UInt256(101), activeSetSize: 10) == .zero)
        #expect(funds.maxFloat(pending: UInt256(150), activeSetSize: 10) == .zero)
        #expect(SenderFunds(deposit: UInt256(100), reserve: UInt256(1_000)).maxFloat(pending: UInt256(40), activeSetSize: 10) == UInt256(60))
    }

    @Test("price: fees round up to whole wei; prices compare exactly")
    func price() throws {
        let price = try PriceInfo(pricePerUnit: UInt256(3), pixelsPerUnit: UInt256(7))
        #expect(try price.fee(pixels: 14) == UInt256(6))
        #expect(try price.fee(pixels: 15) == UInt256(7))
        #expect(throws: PaymentError.self) { try PriceInfo(pricePerUnit: .one, pixelsPerUnit: .zero) }
        #expect(price.isAtMost(try PriceInfo(pricePerUnit: UInt256(6), pixelsPerUnit: UInt256(14))))
        #expect(!price.isAtMost(try PriceInfo(pricePerUnit: UInt256(5), pixelsPerUnit: UInt256(12))))
    }
}
