import EthCrypto
import EventModel
import Testing
@testable import Payments

/// The lottery pays what it promises: over 1,000,000 tickets the amount won is within 3σ of the expected value.
@Suite("lottery statistics")
struct LotteryStatisticsTests {
    @Test("1,000,000 simulated tickets at winProb 1/100: amount won within 3σ of n·EV")
    func millionTickets() throws {
        let count = 1_000_000
        let faceValue = UInt256(1_000_000_000_000)
        let winProb = try TicketLottery.winProb(expectedValue: UInt256(10_000_000_000), faceValue: faceValue)
        // Signatures are 65 pseudo-random bytes (a seeded generator, so the run is reproducible); the rand is fixed.
        var generator = SplitMix64(seed: 0x5eed_2026)
        let rand = try UInt256(decimal: "91343852333181432387730302044767688728495783936")
        var sig = [UInt8](repeating: 0, count: 65)
        var wins = 0
        for _ in 0..<count {
            for index in stride(from: 0, to: 64, by: 8) {
                withUnsafeBytes(of: generator.next()) { sig.replaceSubrange(index..<index + 8, with: $0) }
            }
            sig[64] = 27 + UInt8(generator.next() & 1)
            if TicketLottery.isWinning(sig: sig, recipientRand: rand, winProb: winProb) { wins += 1 }
        }
        let p = Double(winProb.doubleValue) / UInt256.max.doubleValue
        let expectedWins = Double(count) * p
        let sigma = (Double(count) * p * (1 - p)).squareRoot()
        let won = Double(wins) * faceValue.doubleValue
        let expectedAmount = Double(count) * 1e10
        #expect(abs(Double(wins) - expectedWins) <= 3 * sigma, "wins \(wins), expected \(expectedWins) ± \(3 * sigma)")
        #expect(abs(won - expectedAmount) <= 3 * sigma * faceValue.doubleValue)
    }
}
