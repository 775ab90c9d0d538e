import EthCrypto
import EthereumRPC
import EthereumRedemption
import EthereumSettlement
import EventLog
import EventModel
import Foundation
import JSONCore
import LivepeerABI
import LMDB
import Payments
import Projections
import Settlement
import Testing
import TestSupport

/// The node's redeemer on Livepeer's real TicketBroker (py-evm): winners come from a real event log (a real
/// payment received by our TicketRecipient), every transaction and outcome goes back into it, and a redeemer that
/// dies between signing and receipt loses nothing when a new one recovers.
@Suite("Ethereum redemption service", .serialized)
struct EthereumRedemptionTests {
    /// A funded broadcaster, a registered orchestrator, and a log whose ledger holds `winners` of its winning tickets.
    struct Setup {
        let fixture: LivepeerChainFixture
        let directory: String
        let log: EventLog
        let host: ProjectionHost
        let hostTask: Task<Void, any Error>
        let orchestrator: Address
        let broadcaster: Address
        let deposit = UInt256(1_000_000_000_000_000_000)

        init(winners: Int) async throws {
            fixture = try await LivepeerChainFixture()
            _ = try await fixture.registerOrchestrator(1)
            orchestrator = try fixture.key(1).address
            let senderKey = try fixture.key(2)
            broadcaster = senderKey.address
            _ = try await fixture.fund(2, deposit: deposit, reserve: deposit)
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-eth-\(UUID().uuidString)").path
            log = try EventLog(directory: directory + "/log", options: .init(durability: .noSync))
            // Our recipient issues params for the real round and block hash; EV a hair under the face value, so
            // nearly every ticket wins.
            let round = try await fixture.reader.currentRound()
            let context = ValidationContext(currentBlock: try await fixture.node.blockNumber(), currentRound: Int64(round),
                                            roundBlockHashes: [Int64(round): try await fixture.reader.blockHashForRound(round)], gasPrice: .one)
            let recipient = TicketRecipient(validator: TicketValidator(
                recipient: orchestrator, secret: RecipientSecret(key: Array("node".utf8)),
                policy: TicketPolicy(expectedValue: UInt256(9_999_999_999_999), redeemGas: 1, txCostMultiplier: 10_000_000_000_000)))
            let price = try PriceInfo(pricePerUnit: .one, pixelsPerUnit: .one)
            let issued = try recipient.ticketParams(sender: broadcaster, funds: SenderFunds(deposit: deposit, reserve: deposit), activeSetSize: 1,
                                                    price: price, context: context, seed: Keccak256.hash([7]))
            let payer = senderKey.address
            let senderParams = try (1...UInt32(winners + winners / 2)).map { nonce in
                TicketSenderParams(senderNonce: nonce, sig: try senderKey.signMessage(issued.ticket(sender: payer, senderNonce: nonce).hash.bytes).bytes)
            }
            let outcome = recipient.receive(Payment(sender: payer, ticketParams: issued, senderParams: senderParams, expectedPrice: price),
                                            context: context)
            var envelopes = outcome.events.enumerated().map { index, event in event.envelope(id: "pay/\(index)", timestamp: 1_700_000_000_000 + Int64(index)) }
            // Keep exactly `winners` winners in the log.
            var won = 0
            envelopes.removeAll { envelope in
                guard envelope.type == "ticket.won" else { return false }
                won += 1
                return won > winners
            }
            _ = try await log.append(envelopes)
            let host = try ProjectionHost(log: log, projections: [PaymentsLedgerProjection()])
            self.host = host
            hostTask = Task { try await host.run() }
            try await host.waitUntilApplied(through: log.head.sequence)
        }

        func service(maxBatch: Int = 10, replaceAfter: Duration = .seconds(30), rpc: (any EthereumRPC)? = nil,
                     maxGasLimit: UInt64 = 20_000_000) throws -> EthereumRedemptionService {
            let node = rpc.map { EthereumNode(rpc: $0) } ?? fixture.node
            let reader = LivepeerReader(node: node, deployment: fixture.deployment)
            let sender = TransactionSender(node: node, key: try fixture.key(1), chainID: fixture.deployment.chainID, pollInterval: .milliseconds(20))
            let recorder = try RedemptionRecorder(store: host, sink: LogEventSink(log: log), orchestrator: orchestrator,
                                                  clock: SteppingClock(start: 1_800_000_000_000))
            return EthereumRedemptionService(recorder: recorder, redeemer: LivepeerTicketRedeemer(
                sender: sender, reader: reader, maxBatch: maxBatch, replaceAfter: replaceAfter, receiptTimeout: .seconds(60),
                maxGasLimit: maxGasLimit))
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

        func pending() throws -> Int {
            try host.state(of: PaymentsLedgerProjection.self).pending.values.filter { $0.recipient == orchestrator.checksummed }.count
        }

        /// Sum of the `amount` of every `redemption.confirmed` in the log.
        func confirmedAmount() throws -> UInt256 {
            try events("redemption.confirmed").reduce(UInt256.zero) { try $0 + UInt256(decimal: $1.payload["amount"]?.stringValue ?? "0") }
        }

        /// The log and the chain agree: every winner paid once, pendingFees = the log's confirmed amounts = the deposit spent.
        func expectSettled(winners: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            #expect(try pending() == 0, sourceLocation: sourceLocation)
            let redeemed = try events("ticket.redeemed")
            #expect(redeemed.count == winners, sourceLocation: sourceLocation)
            #expect(Set(redeemed.compactMap { $0.payload["ticketHash"]?.stringValue }).count == winners, "each once", sourceLocation: sourceLocation)
            for event in redeemed {
                let hash = try Hash32(hex: event.payload["ticketHash"]?.stringValue ?? "")
                #expect(try await fixture.reader.ticketUsed(hash), sourceLocation: sourceLocation)
            }
            let round = try await fixture.reader.currentRound()
            let fees = try await fixture.reader.pendingFees(orchestrator, round: round)
            let funds = try await fixture.reader.senderFunds(broadcaster)
            #expect(fees == (try confirmedAmount()), "pendingFees \(fees) = the log's confirmed amounts", sourceLocation: sourceLocation)
            let spent = try deposit - funds.deposit
            #expect(spent == fees, "the deposit spent = pendingFees", sourceLocation: sourceLocation)
        }

        func close() async {
            hostTask.cancel()
            _ = await hostTask.result
            log.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("winners from the log are redeemed in batches on the real TicketBroker; every transaction and ticket is in the log")
    func settlesFromTheLog() async throws {
        let setup = try await Setup(winners: 25)
        let service = try setup.service(maxBatch: 10)
        var steps = 0
        while try setup.pending() > 0, steps < 10 {
            let step = try await service.step()
            #expect(step.transaction != nil && step.redeemed > 0)
            steps += 1
        }
        #expect(steps == 3, "25 winners, 10 a batch")
        try await setup.expectSettled(winners: 25)
        let signed = try setup.events("eth.transaction")
        let submitted = try setup.events("redemption.submitted")
        #expect(signed.count == 3 && submitted.count == 3)
        for event in signed {
            let transaction = try SignedEIP1559Transaction(raw: try Hex.decode(event.payload["raw"]?.stringValue ?? ""))
            #expect(transaction.hash.hex == event.payload["txHash"]?.stringValue)
            #expect(try transaction.sender() == setup.orchestrator)
            #expect(try await setup.fixture.node.receipt(transaction.hash)?.succeeded == true)
        }
        #expect(try await service.step().transaction == nil, "nothing left")
        await setup.close()
    }

    @Test("killed after broadcast, after a dropped answer, or before the node got it: recovery records or resends, nothing lost or paid twice")
    func recoversAfterACrash() async throws {
        let setup = try await Setup(winners: 12)
        // 1. The redeemer dies while its transaction waits in the pool (auto-mining off): a new one finds the receipt.
        try await setup.fixture.hook("devchain_autoMine", [false])
        let doomed = try setup.service(maxBatch: 4)
        let task = Task { try await doomed.step() }
        var journaled = false
        for _ in 0..<200 where !journaled {
            try await Task.sleep(for: .milliseconds(50))
            journaled = try !setup.events("eth.transaction").isEmpty
        }
        #expect(journaled)
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        _ = await task.result
        #expect(try setup.events("redemption.confirmed").isEmpty, "died before the receipt")
        try await setup.fixture.hook("evm_mine")
        try await setup.fixture.hook("devchain_autoMine", [true])
        #expect(try await setup.service(maxBatch: 4).recover() == 1)
        #expect(try setup.events("redemption.confirmed").count == 1)
        #expect(try setup.pending() == 8)

        // 2. The node ran the transaction but the answer was lost (connection dropped): the step fails; recovery
        //    finds the receipt.
        try await setup.fixture.hook("devchain_failNext", [1, "drop", ["methods": ["eth_sendRawTransaction"]]])
        await #expect(throws: (any Error).self) { _ = try await setup.service(maxBatch: 4).step() }
        #expect(try await setup.service(maxBatch: 4).recover() == 1)
        #expect(try setup.pending() == 4)

        // 3. Signed and journaled, but the node refused the broadcast (an internal error): recovery sends the same
        //    bytes again and records the receipt.
        try await setup.fixture.hook("devchain_failNext", [1, "error", ["methods": ["eth_sendRawTransaction"]]])
        await #expect(throws: (any Error).self) { _ = try await setup.service(maxBatch: 4).step() }
        let beforeRecovery = try setup.events("redemption.confirmed").count
        #expect(try await setup.service(maxBatch: 4).recover() == 1)
        #expect(try setup.events("redemption.confirmed").count == beforeRecovery + 1)

        try await setup.expectSettled(winners: 12)
        #expect(try await setup.service().recover() == 0, "nothing left open")
        #expect(try setup.events("redemption.failed").isEmpty)
        await setup.close()
    }

    @Test("a batch mined while the system is paused reverts: redemption.reverted with its gas and reason, tickets kept, paid once later")
    func revertedBatchLosesNothing() async throws {
        let setup = try await Setup(winners: 6)
        // The batch waits in the pool (auto-mining off) while the Controller is paused; then it is mined and reverts.
        try await setup.fixture.hook("devchain_autoMine", [false])
        let service = try setup.service(maxBatch: 10)
        let step = Task { try await service.step() }
        var pooled = false
        for _ in 0..<400 where !pooled {
            try await Task.sleep(for: .milliseconds(25))
            pooled = try await setup.fixture.hook("devchain_txPool").arrayValue?.isEmpty == false
        }
        #expect(pooled, "the batch reached the pool")
        try await setup.fixture.hook("devchain_pause", [true])
        try await setup.fixture.hook("evm_mine")
        let reverted = try await step.value
        #expect(reverted.reverted && reverted.redeemed == 0 && reverted.refused == 0)
        let events = try setup.events("redemption.reverted")
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.payload["txHash"]?.stringValue == reverted.transaction?.hex)
        #expect(event.payload["tickets"]?.integerValue == 6)
        #expect(event.payload["reason"]?.stringValue == "system-paused", "the contract's reason, typed")
        let transaction = try #require(reverted.transaction)
        let receipt = try #require(try await setup.fixture.node.receipt(transaction))
        #expect(!receipt.succeeded)
        #expect(event.payload["gasCost"]?.stringValue == receipt.gasCost.description, "its gas is a cost all the same")
        #expect(try setup.events("redemption.confirmed").isEmpty && setup.events("ticket.expired").isEmpty)
        #expect(try setup.pending() == 6, "every ticket still pending")

        // Still paused: the check refuses them as not yet payable, so nothing is sent and nothing is given up.
        try await setup.fixture.hook("devchain_autoMine", [true])
        let paused = try await service.step()
        #expect(paused.transaction == nil && paused.refused == 0)
        #expect(try setup.pending() == 6)

        // Unpaused: paid, once each; the fee ledger counts both transactions and both gas costs.
        try await setup.fixture.hook("devchain_pause", [false])
        #expect(try await service.step().redeemed == 6)
        try await setup.expectSettled(winners: 6)
        #expect(try await service.recover() == 0, "nothing left open")
        let ledger = FeeLedgerProjection()
        var state = ledger.initialState
        try setup.log.scan { stored in
            ledger.apply(&state, try stored.record())
            return true
        }
        let fees = state.rounds.values.compactMap { $0[setup.orchestrator.checksummed] }
        #expect(fees.reduce(0) { $0 + $1.transactions } == 2)
        #expect(fees.reduce(0) { $0 + $1.tickets } == 6)
        #expect(fees.reduce(Int64(0)) { $0 + $1.gasUsed } > Int64(receipt.gasUsed))
        await setup.close()
    }

    @Test("a round nobody initialised: redemptions wait; the round initialiser calls initializeRound once, beside another send on the same account")
    func roundInitializerUnblocksRedemption() async throws {
        let setup = try await Setup(winners: 4)
        let reader = setup.fixture.reader
        let length = try await reader.roundLength()
        let block = try await setup.fixture.node.blockNumber()
        try await setup.fixture.hook("evm_mine", [.integer(Int64((block / length + 1) * length - block))])
        let round = try await reader.currentRound()
        #expect(try await reader.lastInitializedRound() == round - 1, "the new round is not initialised")
        let service = try setup.service()
        let waiting = try await service.step()
        #expect(waiting.transaction == nil && waiting.refused == 0, "refused for now (round-not-ready), nothing given up")
        #expect(try setup.pending() == 4)

        // The initialiser and another transaction from the same account at once: distinct nonces, both mined.
        let sender = service.redeemer.sender
        let watcher = try await EthereumChainWatcher.start(reader: reader, interval: .seconds(1))
        let initializer = EthereumRoundInitializer(reader: reader, sender: sender, watcher: watcher)
        async let initialized = initializer.initializeIfDue()
        async let transfer = sender.execute(to: setup.broadcaster, data: [], value: .one, gasLimit: 21_000, function: "transfer")
        let (done, paid) = try await (initialized, transfer)
        #expect(done?.round == round && done?.receipt.succeeded == true)
        #expect(paid.succeeded && paid.transactionHash != done?.receipt.transactionHash)
        #expect(try await reader.lastInitializedRound() == round)
        #expect(try await initializer.initializeIfDue() == nil, "nothing left to do")

        #expect(try await service.step().redeemed == 4)
        try await setup.expectSettled(winners: 4)
        await setup.close()
    }

    @Test("sender funds for ticket params come from the TicketBroker: read, kept for maxAge, zero when unknown or unlocking, bounded")
    func senderFundsFromTheChain() async throws {
        let fixture = try await LivepeerChainFixture()
        let orchestrator = try fixture.key(1).address
        let deposit = UInt256(3_000_000_000_000_000), reserve = UInt256(2_000_000_000_000_000)
        let funded = try await fixture.fund(2, deposit: deposit, reserve: reserve)
        let monitor = SenderFundsMonitor(reader: fixture.reader, recipient: orchestrator, capacity: 2, maxAge: .seconds(3_600))
        #expect(monitor.funds(funded.address) == SenderFunds(deposit: .zero, reserve: .zero), "not read yet: nothing offered")
        await monitor.refresh(funded.address)
        #expect(monitor.funds(funded.address) == SenderFunds(deposit: deposit, reserve: reserve))
        // Kept for maxAge: a top-up is not seen until the entry is stale.
        _ = try await LivepeerAccountActions(sender: funded, deployment: fixture.deployment).fund(deposit: deposit, reserve: .zero)
        await monitor.refresh(funded.address)
        #expect(monitor.funds(funded.address).deposit == deposit)
        let fresh = SenderFundsMonitor(reader: fixture.reader, recipient: orchestrator, maxAge: .zero)
        await fresh.refresh(funded.address)
        #expect(fresh.funds(funded.address).deposit == (try deposit + deposit))
        // A sender unlocking its deposit is offered nothing (its funds are about to leave).
        _ = try await funded.invoke(LivepeerFunctions.TicketBroker.unlock, on: fixture.deployment.ticketBroker)
        await fresh.refresh(funded.address)
        #expect(fresh.funds(funded.address) == SenderFunds(deposit: .zero, reserve: .zero))
        // Bounded: a third sender makes the monitor forget the one read longest ago.
        for index in 3...4 { await monitor.refresh(try fixture.key(index).address) }
        #expect(monitor.counts.kept == 2 && monitor.counts.evicted == 1)
        #expect(monitor.funds(funded.address) == SenderFunds(deposit: .zero, reserve: .zero), "forgotten: read again when it returns")
        // An RPC that fails keeps what was known.
        let broken = SenderFundsMonitor(reader: LivepeerReader(node: EthereumNode(rpc: JSONRPCClient(url: "http://127.0.0.1:9", timeout: .seconds(2))),
                                                               deployment: fixture.deployment), recipient: orchestrator)
        await broken.refresh(funded.address)
        #expect(broken.funds(funded.address) == SenderFunds(deposit: .zero, reserve: .zero))
    }

    @Test("the gas cap hit: a batch gets no more than one ticket's estimate; what it could not pay stays pending and is paid later")
    func gasCapLosesNothing() async throws {
        let setup = try await Setup(winners: 4)
        let capped = try setup.service(maxBatch: 10, maxGasLimit: 1)
        let step = try await capped.step()
        let transaction = try #require(step.transaction)
        let sent = try setup.events("redemption.submitted")
        let single = try #require(sent.first?.payload["gasLimit"]?.integerValue)
        #expect(sent.count == 1 && single < 500_000, "one ticket's estimate (~300k), not 4 × it: \(single)")
        #expect(step.redeemed < 4 && step.refused == 0)
        #expect(try setup.pending() == 4 - step.redeemed, "the rest stays pending, none given up")
        // With one ticket's gas for four, the batch runs out of gas before or inside its tickets: it reverts (recorded as
        // such, with its gas) or pays fewer; either way nothing is given up.
        let receipt = try #require(try await setup.fixture.node.receipt(transaction))
        #expect(step.reverted == !receipt.succeeded)
        #expect(try setup.events("redemption.reverted").count == (receipt.succeeded ? 0 : 1))
        while try setup.pending() > 0 { _ = try await setup.service().step() }
        try await setup.expectSettled(winners: 4)
        let uncapped = try setup.events("redemption.submitted").dropFirst().compactMap { $0.payload["gasLimit"]?.integerValue }
        if 4 - step.redeemed > 1 { #expect((uncapped.first ?? 0) > single, "without the cap a batch of several gets more: \(uncapped)") }
        await setup.close()
    }
}
