import EthABI
import EthCrypto
import EthereumRPC
import EthereumSettlement
import Foundation
import JSONCore
import LivepeerABI
import Payments
import Testing
import TestSupport

/// The settlement backend against Livepeer's own contracts on a real EVM (py-evm), over JSON-RPC.
@Suite("Livepeer on a real EVM", .serialized)
struct LivepeerChainTests {
    @Test("the Controller gives every contract's address; a wrong chain id or a Controller with no code is refused")
    func deploymentFromController() async throws {
        let fixture = try await LivepeerChainFixture()
        let contracts = fixture.chain.contracts
        #expect(fixture.deployment.ticketBroker == (try Address(contracts["TicketBroker"]!)))
        #expect(fixture.deployment.bondingManager == (try Address(contracts["BondingManager"]!)))
        #expect(fixture.deployment.roundsManager == (try Address(contracts["RoundsManager"]!)))
        #expect(fixture.deployment.livepeerToken == (try Address(contracts["LivepeerToken"]!)))
        #expect(fixture.deployment.chainID == fixture.chain.chainID)
        await #expect(throws: EthereumSettlementError.wrongChain(expected: 42161, actual: fixture.chain.chainID)) {
            _ = try await LivepeerDeployment.resolve(node: fixture.node, controller: fixture.deployment.controller, expectedChainID: 42161)
        }
        let notAController = try Address(fixture.chain.accounts[3].address)
        await #expect(throws: EthereumSettlementError.contractMissing(name: "TicketBroker", controller: notAController)) {
            _ = try await LivepeerDeployment.resolve(node: fixture.node, controller: notAController)
        }
        #expect(try await fixture.reader.roundLength() == fixture.chain.roundLength)
        #expect(try await fixture.reader.ticketValidityPeriod() == 2)
        #expect(try await fixture.reader.currentRoundInitialized())
    }

    @Test("an RPC that times out, answers garbage, errors, drops or answers too much gives a typed error")
    func rpcFaults() async throws {
        let fixture = try await LivepeerChainFixture()
        let quick = EthereumNode(rpc: JSONRPCClient(url: fixture.chain.rpcURL, timeout: .milliseconds(700)))
        #expect(try await quick.chainID() == fixture.chain.chainID)

        try await fixture.hook("devchain_failNext", [1, "timeout", 3])
        let timeout = await #expect(throws: EthereumRPCError.self) { _ = try await quick.blockNumber() }
        #expect(timeout.map { if case .timeout = $0 { true } else { false } } == true, "\(String(describing: timeout))")
        #expect(timeout?.isTransient == true)

        try await fixture.hook("devchain_failNext", [1, "garbage"])
        let garbage = await #expect(throws: EthereumRPCError.self) { _ = try await quick.blockNumber() }
        #expect(garbage.map { if case .malformedResponse = $0 { true } else { false } } == true, "\(String(describing: garbage))")

        try await fixture.hook("devchain_failNext", [1, "error"])
        let error = await #expect(throws: EthereumRPCError.self) { _ = try await quick.blockNumber() }
        #expect(error.map { if case .node(_, -32603, _, _) = $0 { true } else { false } } == true, "\(String(describing: error))")
        #expect(error?.isTransient == true)

        try await fixture.hook("devchain_failNext", [1, "drop"])
        let drop = await #expect(throws: EthereumRPCError.self) { _ = try await quick.blockNumber() }
        #expect(drop.map { if case .transport = $0 { true } else { false } } == true, "\(String(describing: drop))")

        let small = EthereumNode(rpc: JSONRPCClient(url: fixture.chain.rpcURL, maxResponseBytes: 200))
        let tooLarge = await #expect(throws: EthereumRPCError.self) { _ = try await small.block() }
        #expect(tooLarge.map { if case .malformedResponse(_, let reason) = $0 { reason.contains("over 200 bytes") } else { false } } == true,
                "\(String(describing: tooLarge))")
        // After all that the client still works.
        #expect(try await quick.chainID() == fixture.chain.chainID)
    }

    @Test("register, fund, redeem our tickets in one batch: each paid once, pendingFees and the deposit move by the same wei")
    func batchRedemption() async throws {
        let fixture = try await LivepeerChainFixture()
        let orchestrator = try await fixture.registerOrchestrator(1, uri: "https://orch.example:8935")
        let pool = try await fixture.reader.transcoderPool()
        #expect(pool.map(\.address) == [orchestrator.address])
        #expect(pool.first?.serviceURI == "https://orch.example:8935")
        #expect(pool.first?.active == true)
        #expect(pool.first?.feeShare == UInt256(UInt64(500_000)))

        let deposit = LivepeerChainFixture.ether, reserve = LivepeerChainFixture.ether
        let broadcaster = try await fixture.fund(2, deposit: deposit, reserve: reserve)
        let before = try await fixture.reader.senderFunds(broadcaster.address)
        #expect(before.deposit == deposit && before.reserve == reserve)

        let face = UInt256(10_000_000_000_000_000)  // 0.01 ETH
        let tickets = try await fixture.tickets(from: 2, to: orchestrator.address, count: 12, faceValue: face)
        var forged = try await fixture.tickets(from: 2, to: orchestrator.address, count: 1, faceValue: face, firstNonce: 100)[0]
        forged.sig = try fixture.key(3).signMessage(forged.ticket.hash.bytes).bytes  // signed by someone else

        var journal: [Hash32] = []
        let journaled = JournalRecorder()
        let redeemerSender = try fixture.sender(1, journal: { await journaled.record($0.hash) })
        let redeemer = LivepeerTicketRedeemer(sender: redeemerSender, reader: fixture.reader)
        let result = try await redeemer.redeem(tickets + [tickets[3], forged])
        journal = await journaled.hashes
        let receipt = try #require(result.receipt)
        #expect(receipt.succeeded)
        #expect(journal == [receipt.transactionHash], "the signed transaction was journaled before it was sent")
        #expect(result.paid.count == 12)
        #expect(result.outcomes[forged.ticket.hash] == .refused(.invalidSignature))
        #expect(result.paidTotal == (try face * UInt256(12)))
        for ticket in tickets { #expect(try await fixture.reader.ticketUsed(ticket.ticket.hash)) }

        let round = try await fixture.reader.currentRound()
        let fees = try await fixture.reader.pendingFees(orchestrator.address, round: round)
        let after = try await fixture.reader.senderFunds(broadcaster.address)
        #expect(fees == result.paidTotal, "pendingFees \(fees) == paid \(result.paidTotal)")
        #expect(after.deposit == (try deposit - result.paidTotal))
        #expect(after.reserve == reserve)
        // The gas limit came from single estimates, not the batch's own: it covers what was used.
        #expect(UInt64(receipt.gasUsed) <= result.gasLimit)
        print("batch of 12: gas used \(receipt.gasUsed) (\(receipt.gasUsed / 12) per ticket), limit \(result.gasLimit)")

        // Replayed: every one refused before anything is sent.
        let again = try await redeemer.redeem(tickets)
        #expect(again.receipt == nil)
        #expect(Set(again.outcomes.values) == [.refused(.alreadyUsed)])
        #expect(try await fixture.reader.pendingFees(orchestrator.address, round: round) == fees)
    }

    @Test("a deposit too small is paid from the reserve, an expired ticket is refused, an unfunded sender is refused")
    func reserveAndExpiry() async throws {
        let fixture = try await LivepeerChainFixture()
        let orchestrator = try await fixture.registerOrchestrator(1)
        let face = UInt256(10_000_000_000_000_000)
        let deposit = UInt256(15_000_000_000_000_000), reserve = LivepeerChainFixture.ether
        let broadcaster = try await fixture.fund(2, deposit: deposit, reserve: reserve)
        let redeemer = LivepeerTicketRedeemer(sender: try fixture.sender(1), reader: fixture.reader)

        let tickets = try await fixture.tickets(from: 2, to: orchestrator.address, count: 3, faceValue: face)
        let result = try await redeemer.redeem(tickets)
        #expect(result.paid.count == 3)
        let funds = try await fixture.reader.senderFunds(broadcaster.address)
        let fromReserve = try reserve - funds.reserve
        #expect(funds.deposit == .zero)
        #expect(try deposit + fromReserve == result.paidTotal, "deposit \(deposit) + reserve used \(fromReserve) == paid \(result.paidTotal)")
        let round = try await fixture.reader.currentRound()
        #expect(try await fixture.reader.pendingFees(orchestrator.address, round: round) == result.paidTotal)

        let stale = try await fixture.tickets(from: 2, to: orchestrator.address, count: 1, faceValue: face, firstNonce: 50)
        try await fixture.hook("devchain_mineRounds", [2])
        let unfunded = try await fixture.tickets(from: 4, to: orchestrator.address, count: 1, faceValue: face)
        let late = try await redeemer.redeem(stale + unfunded)
        #expect(late.receipt == nil)
        #expect(late.outcomes[stale[0].ticket.hash] == .refused(.expired))
        #expect(late.outcomes[unfunded[0].ticket.hash] == .refused(.senderFundsExhausted), "\(late.outcomes)")
    }

    @Test("a gas spike above the cap sends nothing; a stuck transaction is replaced with bumped fees and mined once")
    func gasSpikeAndReplacement() async throws {
        let fixture = try await LivepeerChainFixture()
        let gwei = UInt256(1_000_000_000)
        let capped = try fixture.sender(1, policy: FeePolicy(maxFeePerGasCap: try gwei * UInt256(50)))
        let target = try Address(fixture.chain.accounts[5].address)
        try await fixture.hook("devchain_setBaseFee", [.string(HexQuantity.encode(try gwei * UInt256(200)))])
        await #expect(throws: EthereumSettlementError.gasPriceAboveCap(baseFee: try gwei * UInt256(200), cap: try gwei * UInt256(50))) {
            _ = try await capped.send(to: target, data: [], value: UInt256(1), gasLimit: 21_000)
        }
        #expect(try await fixture.node.transactionCount(of: capped.address, pending: true) == 0, "nothing was sent")
        try await fixture.hook("devchain_setBaseFee", [nil])

        // Auto-mining off: the first version waits in the pool; the sender replaces it; one version is mined.
        try await fixture.hook("devchain_autoMine", [false])
        let sender = try fixture.sender(1)
        let sent = try await sender.send(to: target, data: [], value: UInt256(1), gasLimit: 21_000)
        let waiting = Task { try await sender.waitForReceipt(sent, replaceAfter: .milliseconds(300), timeout: .seconds(60)) }
        var replaced = false
        for _ in 0..<100 where !replaced {
            try await Task.sleep(for: .milliseconds(100))
            let pool = try await fixture.hook("devchain_txPool")
            replaced = pool.arrayValue?.first?["hash"]?.stringValue != sent.latest.hash.hex
        }
        #expect(replaced, "a replacement took the first version's place in the pool")
        try await fixture.hook("evm_mine")
        let (receipt, final) = try await waiting.value
        #expect(final.versions.count >= 2)
        #expect(receipt.transactionHash != sent.latest.hash)
        #expect(Set(final.versions.map(\.transaction.nonce)) == [0])
        #expect(final.versions.last!.transaction.maxPriorityFeePerGas > sent.latest.transaction.maxPriorityFeePerGas)
        #expect(try await fixture.node.receipt(sent.latest.hash) == nil, "the replaced version never mined")
        #expect(try await fixture.node.transactionCount(of: sender.address, pending: false) == 1)
        try await fixture.hook("devchain_autoMine", [true])
    }

    @Test("nonces continue across a restarted sender, from the node's pending count")
    func nonceAcrossRestart() async throws {
        let fixture = try await LivepeerChainFixture()
        let target = try Address(fixture.chain.accounts[5].address)
        let first = try fixture.sender(1)
        _ = try await first.execute(to: target, data: [], value: UInt256(1), gasLimit: 21_000, function: "transfer")
        _ = try await first.execute(to: target, data: [], value: UInt256(1), gasLimit: 21_000, function: "transfer")
        let restarted = try fixture.sender(1)
        let sent = try await restarted.send(to: target, data: [], value: UInt256(1), gasLimit: 21_000)
        #expect(sent.nonce == 2)
        _ = try await restarted.waitForReceipt(sent)
        let journalFails = try fixture.sender(1, journal: { _ in throw PythonOracle.Failure(description: "disk full") })
        await #expect(throws: EthereumSettlementError.notJournaled(reason: "disk full")) {
            _ = try await journalFails.send(to: target, data: [], value: UInt256(1), gasLimit: 21_000)
        }
        #expect(try await fixture.node.transactionCount(of: first.address, pending: true) == 3, "the unjournaled one was not sent")
    }
}

/// Collects journaled transaction hashes in order (the test's journal).
actor JournalRecorder {
    private(set) var hashes: [Hash32] = []
    func record(_ hash: Hash32) { hashes.append(hash) }
}
