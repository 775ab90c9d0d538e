import EthCrypto
import EventLog
import Projections
import EventModel
import Foundation
import JSONCore
import LMDB
import Payments
import Testing
@testable import Settlement

/// The redeemer against a real log and a real LMDB chain: batches recorded before and after the chain sees
/// them, recovery after a crash at each point, nothing paid twice.
@Suite("redemption service")
struct RedemptionServiceTests {
    /// A log holding `winners` winning tickets for one orchestrator, and a chain where the sender is funded.
    struct Node {
        let directory: String
        let log: EventLog
        /// The log's projection host, following the tail in a task of its own (as the node's group runs it).
        let host: ProjectionHost
        let hostTask: Task<Void, any Error>
        let chain: LocalChain
        let orchestrator: Address
        let sender: PrivateKey
        let clock = SteppingClock(start: 1_700_000_000_000)

        init(winners: Int) async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-settle-\(UUID().uuidString)").path
            log = try EventLog(directory: directory + "/log", options: .init(durability: .noSync))
            sender = try PrivateKey.generate()
            let orchestratorKey = try PrivateKey.generate()
            orchestrator = orchestratorKey.address
            var genesis = ChainState(config: ChainConfig(blocksPerRound: 10, activeSetSize: 10, gasPerTransaction: 100, gasPerTicket: 10))
            for account in [sender.address, orchestrator] {
                _ = genesis.execute(.mint(to: account, amount: UInt256(1_000_000_000_000)), from: account, gasPrice: .zero)
            }
            _ = genesis.execute(.registerTranscoder(rewardCut: 0, feeShare: 0), from: orchestrator, gasPrice: .zero)
            _ = genesis.execute(.stake(delegator: orchestrator, transcoder: orchestrator, amount: UInt256(10)), from: orchestrator, gasPrice: .zero)
            _ = genesis.execute(.fundDeposit(UInt256(1_000_000_000)), from: sender.address, gasPrice: .zero)
            _ = genesis.execute(.fundReserve(UInt256(100_000_000)), from: sender.address, gasPrice: .zero)
            genesis.advance(blocks: 10)
            let start = genesis
            chain = try LocalChain(directory: directory + "/chain", genesis: start, log: log)
            // The recipient issues params whose EV is a hair under the face value (10^7, the max float), so nearly
            // every ticket wins, and receives one payment of `winners` tickets.
            let state = chain.state
            let recipient = TicketRecipient(validator: TicketValidator(
                recipient: orchestrator, secret: RecipientSecret(key: Array("node".utf8)),
                policy: TicketPolicy(expectedValue: UInt256(9_999_999), redeemGas: 1, txCostMultiplier: 1_000)))
            let context = ValidationContext(currentBlock: state.block, currentRound: state.round,
                                            roundBlockHashes: state.roundBlockHashes, gasPrice: .one)
            let issued = try recipient.ticketParams(
                sender: sender.address, funds: SenderFunds(deposit: UInt256(1_000_000_000), reserve: UInt256(100_000_000)),
                activeSetSize: 10, price: try PriceInfo(pricePerUnit: .one, pixelsPerUnit: .one), context: context,
                seed: Keccak256.hash([1]))
            let senderKey = sender
            let senderParams = try (1...UInt32(winners)).map { nonce in
                TicketSenderParams(senderNonce: nonce, sig: try senderKey.signMessage(issued.ticket(sender: senderKey.address, senderNonce: nonce).hash.bytes).bytes)
            }
            let payment = Payment(sender: sender.address, ticketParams: issued, senderParams: senderParams,
                                  expectedPrice: try PriceInfo(pricePerUnit: .one, pixelsPerUnit: .one))
            let outcome = recipient.receive(payment, context: context)
            let envelopes = outcome.events.enumerated().map { index, event in
                event.envelope(id: "pay/\(index)", timestamp: 1_700_000_000_000 + Int64(index))
            }
            _ = try await log.append(envelopes)
            let host = try ProjectionHost(log: log, projections: [PaymentsLedgerProjection()])
            self.host = host
            hostTask = Task { try await host.run() }
        }

        /// A redemption service over the host once it has applied the whole log (what a restarted node sees).
        func service(minBatch: Int = 1) async throws -> RedemptionService {
            try await host.waitUntilApplied(through: log.head.sequence)
            return try RedemptionService(chain: chain, store: host, sink: LogEventSink(log: log), orchestrator: orchestrator,
                                         redeemer: Redeemer(policy: RedeemerPolicy(maxCostShare: 10_000, maxBatch: 100, minBatch: minBatch)),
                                         clock: clock)
        }

        func events(_ type: String) throws -> [EventEnvelope] {
            var found: [EventEnvelope] = []
            try log.scan { stored in
                let record = try stored.record()
                if record.envelope.type == type { found.append(record.envelope) }
                return true
            }
            return found
        }

        func close() async {
            hostTask.cancel()
            _ = await hostTask.result
            log.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("winners in the ticket book are redeemed in one batch; submitted, confirmed and redeemed are recorded")
    func redeemsBatch() async throws {
        let node = try await Node(winners: 40)
        defer { Task { await node.close() } }
        let service = try await node.service()
        let pending = try service.pending()
        #expect(!pending.isEmpty)
        let step = try await service.step(gasPrice: .one)
        #expect(step.redeemed == pending.count)
        #expect(try node.events("redemption.submitted").count == 1)
        #expect(try node.events("redemption.confirmed").count == 1)
        #expect(try node.events("ticket.redeemed").count == pending.count)
        #expect(try service.pending().isEmpty)
        #expect(node.chain.state.usedTickets.count == pending.count)
        #expect(node.chain.state.isConserved)
        let again = try await service.step(gasPrice: .one)
        #expect(again.redeemed == 0 && again.transactionID == nil)
        // The chain's own events: the transaction and the fees it credited.
        let transactions = try node.events("chain.transaction")
        #expect(transactions.count == 1 && transactions[0].payload["id"]?.stringValue == step.transactionID?.hex)
        let credited = try node.events("fees.credited")
        #expect(credited.count == 1 && credited[0].payload["amount"]?.stringValue == node.chain.state.fees.values.first?.values.first?.total.description)
        try node.chain.advance(blocks: 10)
        #expect(try node.events("round.started").map { $0.payload["round"]?.integerValue } == [node.chain.state.round])
    }
}

/// A crash at each point of a redemption, and the restart.
@Suite("redemption recovery")
struct RedemptionRecoveryTests {
    typealias Node = RedemptionServiceTests.Node

    /// What the service would send now: its batch and the batch's id.
    static func plannedBatch(_ service: RedemptionService) throws -> ([PendingWinner], Hash32) {
        let plan = service.redeemer.plan(try service.pending(), claimant: service.orchestrator, chain: service.chain.state, gasPrice: .one)
        return (plan.batch, RedemptionService.transactionID(plan.batch.map(\.hash)))
    }

    static func submittedEnvelope(_ node: Node, id: Hash32, batch: [PendingWinner]) -> EventEnvelope {
        EventEnvelope(id: "redeem/\(id.hex)/submitted", type: "redemption.submitted", version: 1, topic: .settlement,
                      keys: EventKeys(orchestrator: node.orchestrator.checksummed), timestamp: 1,
                      payload: ["txHash": .string(id.hex), "tickets": .array(batch.map { .string($0.hash.hex) }),
                                "gasPrice": "1", "gasLimit": 1_000, "faceValue": "1"])
    }

    @Test("killed after the chain paid, before the log knew: recover records it; nothing is paid twice")
    func crashAfterChain() async throws {
        let node = try await Node(winners: 12)
        defer { Task { await node.close() } }
        let first = try await node.service()
        let (batch, id) = try Self.plannedBatch(first)
        _ = try await node.log.append([Self.submittedEnvelope(node, id: id, batch: batch)])
        _ = try node.chain.submit(.redeem(batch.map(\.signed)), from: node.orchestrator, gasPrice: .one, id: id.hex)
        let paidOnce = node.chain.state.balance(node.orchestrator)
        // Restart.
        let restarted = try await node.service()
        #expect(try await restarted.recover() == 1)
        #expect(try node.events("ticket.redeemed").count == batch.count)
        #expect(try node.events("redemption.confirmed").count == 1)
        #expect(try restarted.pending().isEmpty)
        // Submitting the same batch again returns the first receipt: no second payout.
        let again = try node.chain.submit(.redeem(batch.map(\.signed)), from: node.orchestrator, gasPrice: .one, id: id.hex)
        #expect(again.redemptions.allSatisfy { $0.rejection == nil })
        #expect(node.chain.state.balance(node.orchestrator) == paidOnce)
        #expect(try await restarted.step(gasPrice: .one).redeemed == 0)
        #expect(node.chain.state.isConserved)
    }

    @Test("killed after submitted was logged, before the chain saw it: recover closes it as failed; the tickets are redeemed later")
    func crashBeforeChain() async throws {
        let node = try await Node(winners: 12)
        defer { Task { await node.close() } }
        let (batch, id) = try Self.plannedBatch(try await node.service())
        _ = try await node.log.append([Self.submittedEnvelope(node, id: id, batch: batch)])
        let restarted = try await node.service()
        #expect(try await restarted.recover() == 1)
        let failed = try node.events("redemption.failed")
        #expect(failed.count == 1 && failed[0].payload["reason"]?.stringValue == "not sent before a restart")
        #expect(try restarted.pending().count == batch.count)
        #expect(try await restarted.step(gasPrice: .one).redeemed == batch.count)
        #expect(node.chain.state.usedTickets.count == batch.count)
        #expect(try await restarted.recover() == 0)
    }

    @Test("expired winners are recorded expired with their reason; gas spikes defer")
    func expiryAndSpikes() async throws {
        let node = try await Node(winners: 12)
        defer { Task { await node.close() } }
        let service = try await node.service()
        let pending = try service.pending().count
        // A price at which the batch costs more than 1% of its face value: nothing is sent.
        let spike = try await service.step(gasPrice: UInt256(1_000_000_000))
        #expect(spike.redeemed == 0 && spike.deferred == pending && spike.transactionID == nil)
        try node.chain.advance(blocks: 20)
        let late = try await service.step(gasPrice: .one)
        #expect(late.expired == pending && late.redeemed == 0)
        let expired = try node.events("ticket.expired")
        #expect(expired.count == pending)
        #expect(expired.allSatisfy { $0.payload["reason"]?.stringValue?.isEmpty == false })
        #expect(try service.pending().isEmpty)
    }
}
