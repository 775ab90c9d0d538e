public import EthCrypto
import EthereumRPC
public import EthereumSettlement
import EventLog
import EventModel
import JSONCore
import Payments
public import Settlement

/// The node's redeemer on a real chain: its winning tickets (the projection host's pending winners) redeemed on
/// Livepeer's TicketBroker by a `LivepeerTicketRedeemer`, every step recorded through the node's event sink.
/// Each signed version of a transaction is in the log (`eth.transaction` with its raw bytes, and
/// `redemption.submitted` with its tickets) before it is broadcast; the receipt becomes `redemption.confirmed` v2
/// and one `ticket.redeemed` per ticket its logs paid (a reverted receipt becomes `redemption.reverted`: gas spent,
/// tickets still pending); a refusal for good becomes `ticket.expired` with the contract's reason.
/// After a kill at any moment `recover()` finds each recorded transaction's receipt, or rebroadcasts its raw bytes,
/// so no ticket is lost and none is paid twice (the TicketBroker refuses a used ticket anyway).
public final class EthereumRedemptionService: Sendable {
    public let recorder: RedemptionRecorder
    public let redeemer: LivepeerTicketRedeemer

    public init(recorder: RedemptionRecorder, redeemer: LivepeerTicketRedeemer) {
        self.recorder = recorder
        self.redeemer = redeemer
    }

    private var node: EthereumNode { redeemer.reader.node }

    /// What one step did.
    public struct Step: Sendable {
        public var redeemed = 0
        public var refused = 0
        public var transaction: Hash32?
        /// The transaction was mined with status 0: it paid nothing (its tickets stay pending unless refused for good).
        public var reverted = false
        /// Gas was above the fee cap: nothing was sent.
        public var waitingForGas = false
    }

    /// Redeems one batch of the pending winners (oldest creation round first), or records why not.
    public func step() async throws -> Step {
        try await recorder.caughtUp()
        let pending = try recorder.pending().sorted { ($0.ticket.creationRound, $0.hash) < ($1.ticket.creationRound, $1.hash) }
        guard !pending.isEmpty else { return Step() }
        let byHash = Dictionary(pending.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        guard let result = try await redeemUnlessGasIsHigh(pending.map(\.signed)) else { return Step(waitingForGas: true) }
        return try await record(result, byHash: byHash)
    }

    /// One redemption pass, or nil when gas is above the fee cap (nothing was sent).
    private func redeemUnlessGasIsHigh(_ tickets: [SignedTicket]) async throws(EthereumSettlementError) -> RedemptionResult? {
        do {
            return try await redeemer.redeem(tickets, journal: { signed, batch in try await self.journal(signed, batch: batch) })
        } catch {
            if case .gasPriceAboveCap = error { return nil }
            throw error
        }
    }

    /// Finishes what a crash interrupted: each recorded transaction without a confirmation is confirmed from its
    /// receipt, closed as replaced when its nonce went to another version, or rebroadcast and waited for.
    @discardableResult
    public func recover() async throws -> Int {
        try await recorder.caughtUp()
        let recorder = recorder
        let (redemptions, transactions) = try await BlockingCalls.run {
            (try recorder.redemptions(), try Self.signedTransactions(recorder))
        }
        let byHash = Dictionary(try recorder.pending().map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        var recovered = 0
        for (id, entry) in redemptions.submitted.sorted(by: { $0.key < $1.key }) where !redemptions.closed.contains(id) {
            recovered += 1
            let batch = entry.tickets.compactMap { byHash[$0]?.signed }
            if let receipt = try await node.receipt(id) {
                try await record(receipt, versions: [id], batch: batch, byHash: byHash)
                continue
            }
            guard let signed = transactions[id] else {
                try await recorder.record([recorder.failedEnvelope(transaction: id, reason: "not sent before a restart")])
                continue
            }
            let mined = try await node.transactionCount(of: redeemer.sender.address, pending: false)
            if mined > signed.transaction.nonce {
                // Its nonce was used by another version (a replacement) or another transaction: this one never mines.
                try await recorder.record([recorder.failedEnvelope(transaction: id, reason: "replaced: nonce \(signed.transaction.nonce) was used by another transaction")])
                continue
            }
            // Still pending, or dropped by the node: send the same bytes again and wait (replacing if stuck).
            // A node that still holds it answers "already known"; one that mined another version meanwhile is seen below.
            try? await redeemer.sender.rebroadcast(signed)
            let sender = redeemer.sender
            let (receipt, final) = try await sender.waitForReceipt(TransactionSender.Sent(versions: [signed]), confirmations: redeemer.confirmations,
                                                                   replaceAfter: redeemer.replaceAfter, timeout: redeemer.receiptTimeout,
                                                                   journal: { replacement in try await self.journal(replacement, batch: batch) })
            try await record(receipt, versions: final.versions.map(\.hash), batch: batch, byHash: byHash)
        }
        return recovered
    }

    /// Records what a receipt found after a restart paid, for the tickets of its batch still pending.
    private func record(_ receipt: EthereumReceipt, versions: [Hash32], batch: [SignedTicket], byHash: [Hash32: PendingWinner]) async throws {
        var outcomes = redeemer.outcomes(of: receipt, batch: batch)
        if !receipt.succeeded { outcomes.merge(try await redeemer.diagnoseUnpaid(batch, receipt: receipt, paid: outcomes)) { _, new in new } }
        _ = try await record(RedemptionResult(outcomes: outcomes, receipt: receipt, versions: versions, batch: batch.map(\.ticket.hash)),
                             byHash: byHash)
    }

    /// The durable record of a signed version, before its broadcast.
    private func journal(_ signed: SignedEIP1559Transaction, batch: [SignedTicket]) async throws {
        let transaction = signed.transaction
        let faceValue = batch.reduce(UInt256.zero) { (try? $0 + $1.ticket.faceValue) ?? .max }
        let signedEvent = recorder.envelope(EthTransactionSigned(
            txHash: signed.hash, from: redeemer.sender.address, to: transaction.to ?? .zero, nonce: transaction.nonce,
            gasLimit: transaction.gasLimit, maxFeePerGas: transaction.maxFeePerGas, maxPriorityFeePerGas: transaction.maxPriorityFeePerGas,
            raw: signed.raw, purpose: "batchRedeemWinningTickets"), id: "eth/\(signed.hash.hex)")
        let submitted = recorder.submittedEnvelope(transaction: signed.hash, tickets: batch.map(\.ticket.hash),
                                                   gasPrice: transaction.maxFeePerGas, gasLimit: transaction.gasLimit, faceValue: faceValue)
        try await recorder.record([signedEvent, submitted])
    }

    /// Writes each ticket's outcome and the receipt; a transient refusal or a retry leaves the ticket pending.
    private func record(_ result: RedemptionResult, byHash: [Hash32: PendingWinner]) async throws -> Step {
        var step = Step()
        var envelopes: [EventEnvelope] = []
        var paid = UInt256.zero, faceValue = UInt256.zero
        for (hash, outcome) in result.outcomes.sorted(by: { $0.key < $1.key }) {
            guard let winner = byHash[hash] else { continue }
            switch outcome {
            case .paid(let amount, let transaction):
                step.redeemed += 1
                paid = (try? paid + amount) ?? .max
                faceValue = (try? faceValue + winner.ticket.faceValue) ?? .max
                envelopes.append(recorder.redeemedEnvelope(winner, transaction: transaction, faceValue: winner.ticket.faceValue))
            case .refused(let refusal) where !refusal.isTransient:
                step.refused += 1
                envelopes.append(recorder.expiredEnvelope(winner, reason: "refused by the chain: \(refusal)"))
            case .refused, .retry:
                continue
            }
        }
        if let receipt = result.receipt {
            step.transaction = receipt.transactionHash
            step.reverted = !receipt.succeeded
            envelopes.append(receipt.succeeded
                ? try await confirmedEnvelope(receipt, redeemed: step.redeemed, paid: paid, faceValue: faceValue)
                : try await revertedEnvelope(receipt, batch: result.batch, outcomes: result.outcomes))
            for version in result.versions where version != receipt.transactionHash {
                envelopes.append(recorder.failedEnvelope(transaction: version, reason: "replaced by \(receipt.transactionHash.hex)"))
            }
        }
        try await recorder.record(envelopes)
        return step
    }

    /// `redemption.confirmed` v2 from a receipt: gas at the effective price, what the logs paid, and the fee split the
    /// BondingManager applies (delegators get `feeShare` parts per million, the orchestrator the rest).
    private func confirmedEnvelope(_ receipt: EthereumReceipt, redeemed: Int, paid: UInt256, faceValue: UInt256) async throws -> EventEnvelope {
        let reader = redeemer.reader
        let round = try await reader.currentRound()
        let feeShare = try await reader.transcoder(recorder.orchestrator).feeShare
        let delegatorShare = (try? UInt256.mulDiv(paid, feeShare, UInt256(1_000_000))) ?? .zero
        let orchestratorShare = (try? paid - delegatorShare) ?? paid
        return recorder.envelope(RedemptionConfirmed(
            receipt: Self.mined(receipt, round: round), redeemed: redeemed, ticketsPaid: redeemed, faceValue: faceValue, amount: paid,
            orchestratorShare: orchestratorShare, delegatorShare: delegatorShare), id: "redeem/\(receipt.transactionHash.hex)/confirmed")
    }

    /// The receipt's fields as a redemption event states them, in `round`.
    private static func mined(_ receipt: EthereumReceipt, round: UInt64) -> MinedReceipt {
        MinedReceipt(txHash: receipt.transactionHash, block: receipt.blockNumber, round: Int64(round), gasUsed: receipt.gasUsed,
                     gasPrice: receipt.effectiveGasPrice, gasCost: receipt.gasCost)
    }

    /// `redemption.reverted` from a status-0 receipt: the gas it cost, and why as the contract says now (each ticket was
    /// checked again with an `eth_call` of `redeemWinningTicket`, which reverts for the same modifiers as the batch).
    private func revertedEnvelope(_ receipt: EthereumReceipt, batch: [Hash32], outcomes: [Hash32: TicketOutcome]) async throws -> EventEnvelope {
        let round = try await redeemer.reader.currentRound()
        let refusals = batch.compactMap { outcomes[$0] }.compactMap { outcome -> TicketRefusal? in if case .refused(let why) = outcome { why } else { nil } }
        let reason = refusals.first.map { "\($0)" } ?? "reverted when mined; its tickets would be paid now"
        return recorder.envelope(RedemptionReverted(receipt: Self.mined(receipt, round: round), tickets: batch.count, reason: reason),
                                 id: "redeem/\(receipt.transactionHash.hex)/reverted")
    }

    /// The signed transactions the log holds (`eth.transaction`), by hash.
    private static func signedTransactions(_ recorder: RedemptionRecorder) throws -> [Hash32: SignedEIP1559Transaction] {
        var result: [Hash32: SignedEIP1559Transaction] = [:]
        try recorder.store.scanSettlement(orchestrator: recorder.orchestrator) { envelope in
            guard let event = try EthTransactionSigned.decoded(from: envelope) else { return true }
            // The raw bytes were signed here and checked by the schema as hex; bytes that are not a transaction fail loudly.
            let signed = try SignedEIP1559Transaction(raw: event.raw)
            result[signed.hash] = signed
            return true
        }
        return result
    }
}
