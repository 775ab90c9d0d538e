import Foundation
public import EthCrypto
public import EventLog
public import EventModel
import JSONCore
import Payments
public import Projections

/// The orchestrator's redeemer at work: reads its winning tickets from its store's `payments` state,
/// asks the `Redeemer` what to do at the current gas price, and records every step through the node's event sink —
/// `redemption.submitted` (durable, and applied by the host, before the chain sees the batch), then
/// `redemption.confirmed` v2 (the receipt: gas, price, amounts, fee split) with one `ticket.redeemed` per paid
/// ticket, or `ticket.expired` with the reason. Event ids and the chain's transaction ids derive from the batch, so
/// after a kill at any moment `recover()` finishes or closes what was in flight and nothing is paid twice.
public final class RedemptionService: Sendable {
    public let chain: any SettlementChain
    public let recorder: RedemptionRecorder
    public let redeemer: Redeemer
    /// Where the redeemer reports metrics and logs (the process's registry by default).
    public let telemetry: RedeemerTelemetry

    /// `store` must fold the `payments` projection over the log `sink` ends in (the node's projection host does).
    public init(chain: any SettlementChain, store: any RedemptionStore, sink: any EventSink, orchestrator: Address,
                redeemer: Redeemer = Redeemer(), clock: any EventClock, telemetry: RedeemerTelemetry = RedeemerTelemetry(),
                onRecorded: @escaping @Sendable ([EventEnvelope]) -> Void = { _ in })
        throws {
        recorder = try RedemptionRecorder(store: store, sink: sink, orchestrator: orchestrator, clock: clock, onRecorded: onRecorded)
        self.chain = chain
        self.redeemer = redeemer
        self.telemetry = telemetry
    }

    public var store: any RedemptionStore { recorder.store }
    public var sink: any EventSink { recorder.sink }
    public var orchestrator: Address { recorder.orchestrator }

    /// What one step did.
    public struct Step: Sendable {
        public var redeemed = 0
        public var expired = 0
        public var deferred = 0
        public var transactionID: Hash32?
    }

    /// This orchestrator's winners not yet redeemed or expired, as the host has applied the log.
    public func pending() throws -> [PendingWinner] { try recorder.pending() }

    /// Plans and, when the plan says so, redeems one batch at `gasPrice`. Returns once the host has applied
    /// everything it recorded, so the next step reads its own writes.
    public func step(gasPrice: UInt256) async throws -> Step {
        try await recorder.caughtUp()
        var step = Step()
        let state = chain.state
        let plan = redeemer.plan(try pending(), claimant: orchestrator, chain: state, gasPrice: gasPrice)
        step.deferred = plan.deferred.count
        let expired = plan.expired.map { recorder.expiredEnvelope($0, reason: "validity window passed before redemption") }
        step.expired = plan.expired.count
        telemetry.planned(gasPrice: gasPrice, expired: plan.expired.count)
        if !plan.alreadyUsed.isEmpty {
            // Used on chain but never recorded: `recover()` records them from the receipt that used them.
            try await recover()
        }
        try await recorder.record(expired)
        guard !plan.batch.isEmpty else { return step }
        let id = Self.transactionID(plan.batch.map(\.hash))
        step.transactionID = id
        let faceValue = plan.batch.reduce(UInt256.zero) { (try? $0 + $1.ticket.faceValue) ?? .max }
        let gasLimit = state.config.redemptionGas(tickets: plan.batch.count)
        let submitted = recorder.submittedEnvelope(transaction: id, tickets: plan.batch.map(\.hash), gasPrice: gasPrice, gasLimit: gasLimit,
                                                   faceValue: faceValue)
        // Durable and in the log before the chain sees the batch: `recover()` reads it from the log.
        try await recorder.record([submitted])
        let (chain, batch, me) = (chain, plan.batch.map(\.signed), orchestrator)
        let receipt = try await BlockingCalls.run { try chain.submit(.redeem(batch), from: me, gasPrice: gasPrice, id: id.hex) }
        step.redeemed = try await record(receipt, batch: plan.batch, id: id, gasPrice: gasPrice)
        return step
    }

    /// Finishes what a crash interrupted: each `redemption.submitted` without a confirmation is confirmed from the
    /// chain's receipt, or closed as failed when the chain never received it.
    @discardableResult
    public func recover() async throws -> Int {
        // A restarted host may still be folding the log: read the pending winners only once it has all of it.
        try await recorder.caughtUp()
        let recorder = recorder
        let (submitted, closed) = try await BlockingCalls.run { try recorder.redemptions() }
        var recovered = 0
        let pendingByHash = Dictionary(try pending().map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        for (id, entry) in submitted.sorted(by: { $0.key < $1.key }) where !closed.contains(id) {
            let chain = chain
            if let receipt = try await BlockingCalls.run({ try chain.receipt(id: id.hex) }) {
                let batch = entry.tickets.compactMap { pendingByHash[$0] }
                _ = try await record(receipt, batch: batch, id: id, gasPrice: receipt.gasPrice ?? entry.gasPrice)
            } else {
                try await recorder.record([recorder.failedEnvelope(transaction: id, reason: "not sent before a restart")])
            }
            recovered += 1
        }
        return recovered
    }

    /// Writes the confirmation (the receipt) and each ticket's outcome; returns how many tickets were paid.
    private func record(_ receipt: ChainReceipt, batch: [PendingWinner], id: Hash32, gasPrice: UInt256) async throws -> Int {
        var envelopes: [EventEnvelope] = []
        let byHash = Dictionary(batch.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        var paid = UInt256.zero, faceValue = UInt256.zero, count = 0
        for redemption in receipt.redemptions {
            guard let winner = byHash[redemption.ticketHash] else { continue }
            if let rejection = redemption.rejection {
                envelopes.append(recorder.expiredEnvelope(winner, reason: "refused by the chain: \(rejection.rawValue)"))
                continue
            }
            count += 1
            paid = (try? paid + redemption.paid) ?? .max
            faceValue = (try? faceValue + redemption.faceValue) ?? .max
            envelopes.append(recorder.redeemedEnvelope(winner, transaction: id, faceValue: redemption.faceValue,
                                                       fromDeposit: redemption.fromDeposit, fromReserve: redemption.fromReserve))
        }
        if receipt.accepted {
            envelopes.append(confirmedEnvelope(receipt, id: id, gasPrice: gasPrice, redeemed: count, paid: paid, faceValue: faceValue))
        } else {
            envelopes.append(recorder.failedEnvelope(transaction: id, reason: receipt.rejection?.rawValue ?? "refused"))
        }
        try await recorder.record(envelopes)
        telemetry.recorded(receipt, transaction: id, redeemed: count)
        return count
    }

    /// `redemption.confirmed` v2: the receipt's gas and price, what was paid and how the chain split it.
    private func confirmedEnvelope(_ receipt: ChainReceipt, id: Hash32, gasPrice: UInt256, redeemed: Int, paid: UInt256,
                                   faceValue: UInt256) -> EventEnvelope {
        let split = receipt.fees
        let round = split?.round ?? Int64(receipt.block / max(chain.state.config.blocksPerRound, 1))
        let delegators = (split?.delegators ?? [:]).sorted { $0.key < $1.key }.map { (delegator: $0.key, amount: $0.value) }
        let mined = MinedReceipt(txHash: id, block: receipt.block, round: round, gasUsed: receipt.gasUsed, gasPrice: receipt.gasPrice ?? gasPrice,
                                 gasCost: receipt.gasCost)
        return recorder.envelope(RedemptionConfirmed(
            receipt: mined, redeemed: redeemed, ticketsPaid: split?.tickets ?? redeemed, faceValue: faceValue,
            amount: split?.amount ?? paid, orchestratorShare: split?.orchestratorShare ?? paid, delegatorShare: split?.delegatorShare ?? .zero,
            delegators: delegators), id: "redeem/\(id.hex)/confirmed")
    }

    /// The batch's id: keccak256 of its ticket hashes in order (the same batch always gets the same id).
    public static func transactionID(_ hashes: [Hash32]) -> Hash32 {
        var hasher = Keccak256()
        for hash in hashes { hash.withUnsafeBytes { hasher.update($0) } }
        return hasher.finalize()
    }
}
