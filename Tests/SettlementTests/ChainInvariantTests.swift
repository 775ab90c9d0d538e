import EthCrypto
import EventModel
import Foundation
import Payments
import Testing
@testable import Settlement

/// Seeded random activity on the chain with its invariants checked after every block: money is conserved,
/// no ticket is paid twice, no claimant takes more than its reserve share in a round, and only the active
/// set takes reserve at all.
@Suite("chain invariants")
struct ChainInvariantTests {
    @Test("300 blocks of seeded random funding, redemptions (good and bad), rewards and withdrawals", arguments: [UInt64(1), 2, 3])
    func randomActivity(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var chain = ChainState(config: ChainConfig(blocksPerRound: 15, activeSetSize: 3, gasPerTransaction: 50, gasPerTicket: 5,
                                                   rewardPerRound: UInt256(1_000)))
        let senders = try (0..<4).map { _ in try PrivateKey.generate() }
        let orchestrators = try (0..<6).map { _ in try PrivateKey.generate().address }
        let gasPrice = UInt256(3)
        for account in senders.map(\.address) + orchestrators {
            _ = chain.execute(.mint(to: account, amount: UInt256(10_000_000_000)), from: account, gasPrice: .zero)
        }
        for (index, orchestrator) in orchestrators.enumerated() {
            _ = chain.execute(.registerTranscoder(rewardCut: 50_000, feeShare: 300_000), from: orchestrator, gasPrice: gasPrice)
            _ = chain.execute(.stake(delegator: orchestrator, transcoder: orchestrator, amount: UInt256(UInt64(100 * (index + 1)))),
                              from: orchestrator, gasPrice: .zero)
        }
        var paidTickets: Set<Hash32> = []
        var reserveAtRoundStart: [Int64: [Address: UInt256]] = [:]
        var nonce: UInt32 = 0
        for _ in 0..<300 {
            if reserveAtRoundStart[chain.round] == nil {
                // Reserve is only funded at a round's start here, so the cap is (reserve then) / active set size.
                for sender in senders where random.unit() < 0.5 {
                    _ = chain.execute(.fundReserve(UInt256(UInt64(1_000 + random.below(50_000)))), from: sender.address, gasPrice: gasPrice)
                }
                reserveAtRoundStart[chain.round] = Dictionary(uniqueKeysWithValues: senders.map { ($0.address, chain.sender($0.address).reserve) })
            }
            for _ in 0..<random.below(4) {
                let sender = senders[random.below(senders.count)]
                if random.unit() < 0.3 {
                    _ = chain.execute(.fundDeposit(UInt256(UInt64(random.below(20_000) + 1))), from: sender.address, gasPrice: gasPrice)
                }
                let orchestrator = orchestrators[random.below(orchestrators.count)]
                let active = Set(chain.activeSet)
                var tickets: [SignedTicket] = []
                for _ in 0..<(1 + random.below(4)) {
                    nonce += 1
                    let round = chain.round - Int64(random.below(3))  // sometimes too old
                    let rand = UInt256(random.next())
                    let ticket = Ticket(recipient: orchestrator, sender: sender.address, faceValue: UInt256(UInt64(random.below(30_000) + 1)),
                                        winProb: random.unit() < 0.8 ? .max : .zero, senderNonce: nonce,
                                        recipientRandHash: TicketLottery.recipientRandHash(rand), creationRound: max(0, round),
                                        creationRoundBlockHash: chain.roundBlockHashes[max(0, round)] ?? .zero)
                    let signer = random.unit() < 0.1 ? try PrivateKey.generate() : sender
                    tickets.append(SignedTicket(ticket: ticket, sig: try signer.signMessage(ticket.hash.bytes).bytes, recipientRand: rand))
                }
                let receipt = chain.execute(.redeem(tickets), from: orchestrator, gasPrice: gasPrice)
                for redemption in receipt.redemptions where redemption.rejection == nil {
                    #expect(paidTickets.insert(redemption.ticketHash).inserted, "ticket paid twice")
                    if !redemption.fromReserve.isZero { #expect(active.contains(orchestrator), "inactive claimant took reserve") }
                }
                if random.unit() < 0.2 {
                    // Replays of this batch: every ticket refused (used or otherwise), nothing paid.
                    let replay = chain.execute(.redeem(tickets), from: orchestrator, gasPrice: gasPrice)
                    #expect(replay.redemptions.allSatisfy { $0.rejection != nil })
                }
            }
            if random.unit() < 0.1 { _ = chain.execute(.reward, from: orchestrators[random.below(orchestrators.count)], gasPrice: gasPrice) }
            if random.unit() < 0.05 { _ = chain.execute(.unlock, from: senders[random.below(senders.count)].address, gasPrice: gasPrice) }
            if random.unit() < 0.05 { _ = chain.execute(.withdraw, from: senders[random.below(senders.count)].address, gasPrice: gasPrice) }
            chain.advance(blocks: 1)
            // Invariants after every block.
            #expect(chain.isConserved, "money conserved")
            #expect(chain.usedTickets.count == paidTickets.count)
            for (round, bySender) in chain.reserveClaims {
                for (sender, byClaimant) in bySender {
                    let cap = (try? (reserveAtRoundStart[round]?[sender] ?? .zero) / UInt256(3)) ?? .zero
                    for (_, claimed) in byClaimant { #expect(claimed <= cap, "reserve cap") }
                }
            }
        }
        #expect(paidTickets.count > 50)
    }

    @Test("a small settlement simulation: no double redemption, every winner redeemed or expired, fewer transactions batched")
    func simulation() throws {
        var parameters = SettlementSimulation.Parameters()
        parameters.broadcasters = 5
        parameters.orchestrators = 8
        parameters.segments = 1_500
        parameters.segmentsPerJob = 50
        let report = try SettlementSimulation(parameters: parameters, gas: GasPriceFeed.model(seed: 3, hours: 48)).run()
        #expect(report.winners > 20)
        for outcome in report.outcomes.dropFirst() {
            #expect(outcome.doubleRedemptions == 0)
            #expect(outcome.ticketsRedeemed + outcome.ticketsExpired == report.winners)
        }
        #expect(report.outcomes.count == 4, "alpha, go-livepeer, the batch redeemer, and the batch redeemer not waiting for cheap gas")
        #expect(report.outcomes[2].transactions * 3 < report.outcomes[1].transactions)
        #expect(report.outcomes[2].gasShare < report.outcomes[1].gasShare)
        // With Livepeer's measured gas (213k a transaction + 81k a ticket; 294k a single redemption), batches cost at
        // most half of go-livepeer's gas per ticket, and at most 1% of the fees.
        let perTicket = report.outcomes.map { Double($0.gasUsed) / Double(max(1, $0.ticketsRedeemed)) }
        #expect(perTicket[2] <= 0.5 * perTicket[1], "\(perTicket)")
        #expect(report.outcomes[2].gasShare <= 0.01)
        #expect(report.outcomes[3].gasShare >= report.outcomes[2].gasShare, "waiting for cheap gas never costs more")
    }

    @Test("gas traces: CSV parsed as a step function; bad lines named; the shipped trace loads")
    func gasTrace() throws {
        let feed = try GasPriceFeed(csv: "seconds,gwei\n0,1.5\n60,2\n# a comment\n120,0.5\n")
        #expect(feed.price(at: 0) == UInt256(1_500_000_000) && feed.price(at: 59) == UInt256(1_500_000_000))
        #expect(feed.price(at: 60) == UInt256(2_000_000_000) && feed.price(at: 1_000) != .zero)
        #expect(feed.median == UInt256(1_500_000_000))
        #expect(throws: GasFeedError.badLine(3, "60,two")) { try GasPriceFeed(csv: "seconds,gwei\n0,1\n60,two\n") }
        #expect(throws: GasFeedError.empty) { try GasPriceFeed(csv: "seconds,gwei\n") }
        let shipped = try String(contentsOfFile: TestPaths.root + "/Replay/gas/model-48h-seed7.csv", encoding: .utf8)
        #expect(try GasPriceFeed(csv: shipped).points.count > 2_000)
    }
}
