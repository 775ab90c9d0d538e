import EthCrypto
import Payments
import Testing
@testable import Settlement

/// The TicketBroker's redemption rules on the embedded chain.
@Suite("redemption")
struct RedemptionTests {
    @Test("a winning ticket is paid from the deposit; fees split by feeShare; money is conserved")
    func paysFromDeposit() throws {
        var fixture = try ChainFixture()
        let orchestrator = fixture.orchestrators[0]
        let before = fixture.chain.balance(orchestrator)
        let ticket = try fixture.ticket(to: orchestrator, faceValue: UInt256(400_000), nonce: 1)
        let receipt = fixture.chain.execute(.redeem([ticket]), from: orchestrator, gasPrice: fixture.gasPrice)
        #expect(receipt.accepted && receipt.redemptions.first?.rejection == nil)
        #expect(receipt.redemptions[0].fromDeposit == UInt256(400_000) && receipt.redemptions[0].fromReserve == .zero)
        #expect(receipt.gasUsed == 110 && receipt.gasCost == UInt256(110_000))
        // feeShare 25%: 100,000 to delegators pro rata to stake (delegator 1,000 of 4,000 → 25,000); the rest to the orchestrator.
        let fees = try #require(fixture.chain.fees[fixture.chain.round]?[orchestrator])
        #expect(fees.total == UInt256(400_000) && fees.delegatorShare == UInt256(25_000))
        #expect(fees.orchestratorShare == UInt256(375_000))
        #expect(fixture.chain.balance(orchestrator) == (try before + UInt256(375_000) - UInt256(110_000)))
        #expect(fixture.chain.sender(fixture.broadcaster.address).deposit == UInt256(600_000))
        #expect(fixture.chain.isConserved)
    }

    @Test("forged, used, expired, wrong-reveal, not-recipient and losing tickets are refused and change nothing but gas")
    func refusals() throws {
        var fixture = try ChainFixture()
        let orchestrator = fixture.orchestrators[0]
        let good = try fixture.ticket(to: orchestrator, faceValue: UInt256(1_000), nonce: 1)
        _ = fixture.chain.execute(.redeem([good]), from: orchestrator, gasPrice: fixture.gasPrice)
        var wrongReveal = try fixture.ticket(to: orchestrator, faceValue: UInt256(1_000), nonce: 2)
        wrongReveal.recipientRand = UInt256(43)
        let cases: [(SignedTicket, RedemptionRejection)] = [
            (try fixture.ticket(to: orchestrator, faceValue: UInt256(1_000), nonce: 3, signer: PrivateKey.generate()), .badSignature),
            (good, .alreadyUsed),
            (wrongReveal, .wrongReveal),
            (try fixture.ticket(to: fixture.orchestrators[1], faceValue: UInt256(1_000), nonce: 4), .notRecipient),
            (try fixture.ticket(to: orchestrator, faceValue: UInt256(1_000), nonce: 5, winProb: .zero), .notWinning),
            (SignedTicket(ticket: good.ticket, sig: good.sig, recipientRand: nil), .missingReveal),
        ]
        for (ticket, reason) in cases {
            let before = fixture.chain
            let receipt = fixture.chain.execute(.redeem([ticket]), from: orchestrator, gasPrice: fixture.gasPrice)
            #expect(receipt.redemptions.map(\.rejection) == [reason])
            var expected = before
            expected.balances[orchestrator] = try before.balance(orchestrator) - receipt.gasCost
            expected.gasBurned = try before.gasBurned + receipt.gasCost
            var ledger = before.fees[before.round]?[orchestrator] ?? ChainState.RoundFees()
            ledger.transactions += 1
            ledger.gasCost = try ledger.gasCost + receipt.gasCost
            expected.fees[before.round, default: [:]][orchestrator] = ledger
            #expect(fixture.chain == expected, "\(reason): more than gas changed")
        }
        // Expired: created in round 1, redeemed in round 3 (valid for rounds 1 and 2).
        let old = try fixture.ticket(to: orchestrator, faceValue: UInt256(1_000), nonce: 6)
        fixture.chain.advance(blocks: 20)
        #expect(fixture.chain.execute(.redeem([old]), from: orchestrator, gasPrice: fixture.gasPrice).redemptions[0].rejection == .roundInvalid)
        var forgedHash = try fixture.ticket(to: orchestrator, faceValue: UInt256(1_000), nonce: 7)
        forgedHash.ticket.creationRoundBlockHash = Keccak256.hash([1])
        forgedHash.sig = try fixture.broadcaster.signMessage(forgedHash.ticket.hash.bytes).bytes
        #expect(fixture.chain.execute(.redeem([forgedHash]), from: orchestrator, gasPrice: fixture.gasPrice).redemptions[0].rejection == .blockHashMismatch)
        #expect(fixture.chain.isConserved)
    }

    @Test("a batch: a bad ticket does not revert the good ones; gas is base + per ticket")
    func batch() throws {
        var fixture = try ChainFixture()
        let orchestrator = fixture.orchestrators[0]
        let tickets = try (1...5).map { try fixture.ticket(to: orchestrator, faceValue: UInt256(10_000), nonce: UInt32($0)) }
        let forged = try fixture.ticket(to: orchestrator, faceValue: UInt256(10_000), nonce: 9, signer: PrivateKey.generate())
        let receipt = fixture.chain.execute(.redeem(tickets + [forged]), from: orchestrator, gasPrice: fixture.gasPrice)
        #expect(receipt.gasUsed == 100 + 6 * 10)
        #expect(receipt.redemptions.filter { $0.rejection == nil }.count == 5)
        #expect(fixture.chain.usedTickets.count == 5)
        #expect(fixture.chain.isConserved)
    }

    @Test("the reserve pays after the deposit, capped per claimant per round at reserve / active set size; inactive get none")
    func reserveCap() throws {
        var fixture = try ChainFixture(deposit: UInt256(1_000), reserve: UInt256(10_000))
        let (first, inactive) = (fixture.orchestrators[0], fixture.orchestrators[2])
        #expect(fixture.chain.activeSet == [fixture.orchestrators[0], fixture.orchestrators[1]])
        let big = try fixture.ticket(to: first, faceValue: UInt256(8_000), nonce: 1)
        let paid = fixture.chain.execute(.redeem([big]), from: first, gasPrice: fixture.gasPrice).redemptions[0]
        // 1,000 from the deposit, then at most 10,000 / 2 = 5,000 from the reserve.
        #expect(paid.fromDeposit == UInt256(1_000) && paid.fromReserve == UInt256(5_000) && paid.unpaid == UInt256(2_000))
        let again = try fixture.ticket(to: first, faceValue: UInt256(8_000), nonce: 2)
        #expect(fixture.chain.execute(.redeem([again]), from: first, gasPrice: fixture.gasPrice).redemptions[0].paid == .zero)
        let outside = try fixture.ticket(to: inactive, faceValue: UInt256(8_000), nonce: 3)
        let refused = fixture.chain.execute(.redeem([outside]), from: inactive, gasPrice: fixture.gasPrice).redemptions[0]
        #expect(refused.rejection == nil && refused.paid == .zero, "an inactive orchestrator cannot claim reserve")
        #expect(fixture.chain.isConserved)
    }

    @Test("unlock, wait the unlock period, withdraw; rewards split by rewardCut")
    func unlockAndReward() throws {
        var fixture = try ChainFixture()
        let broadcaster = fixture.broadcaster.address
        #expect(fixture.chain.execute(.withdraw, from: broadcaster, gasPrice: fixture.gasPrice).rejection == .notUnlocked)
        #expect(fixture.chain.execute(.unlock, from: broadcaster, gasPrice: fixture.gasPrice).accepted)
        fixture.chain.advance(blocks: 10)
        #expect(fixture.chain.execute(.withdraw, from: broadcaster, gasPrice: fixture.gasPrice).rejection == .notUnlocked)
        fixture.chain.advance(blocks: 10)
        let before = fixture.chain.balance(broadcaster)
        #expect(fixture.chain.execute(.withdraw, from: broadcaster, gasPrice: fixture.gasPrice).accepted)
        #expect(fixture.chain.balance(broadcaster) == (try before + UInt256(11_000_000) - UInt256(100_000)))
        #expect(fixture.chain.isConserved)

        let orchestrator = fixture.orchestrators[0]
        let stakeBefore = fixture.chain.stake(of: orchestrator)
        #expect(fixture.chain.execute(.reward, from: orchestrator, gasPrice: fixture.gasPrice).accepted)
        #expect(fixture.chain.execute(.reward, from: orchestrator, gasPrice: fixture.gasPrice).rejection == .alreadyRewarded)
        #expect(fixture.chain.execute(.reward, from: fixture.orchestrators[2], gasPrice: fixture.gasPrice).rejection == .notActive)
        let minted = fixture.chain.rewardsMinted
        #expect(fixture.chain.stake(of: orchestrator) == (try stakeBefore + minted))
        // 4,000 of the active 6,000: two thirds of the round's reward.
        #expect(minted == (try UInt256.mulDiv(fixture.chain.config.rewardPerRound, UInt256(4_000), UInt256(6_000))))
    }
}
