import Foundation
public import EthCrypto
public import EventLog
public import EventModel
import JSONCore
import Payments
public import Projections

/// The orchestrator's redeemer at work: reads its winning tickets from the projection host's `payments` state,
/// asks the `Redeemer` what to do at the current gas price, and records every step through the node's event sink —
/// `redemption.submitted` (durable, and applied by the host, before the chain sees the batch), then
/// `redemption.confirmed` v2 (the receipt: gas, price, amounts, fee split) with one `ticket.redeemed` per paid
/// ticket, or `ticket.expired` with the reason. Event ids and the chain's transaction ids derive from the batch, so
/// after a kill at any moment `recover()` finishes or closes what was in flight and nothing is paid twice.
public final class RedemptionService: Sendable {
    public let chain: any SettlementChain
    public let host: ProjectionHost
    public let sink: any EventSink
    public let orchestrator: Address
    public let redeemer: Redeemer
    private let clock: any EventClock
    /// Where the redeemer reports metrics and logs (the process's registry by default).
    public let telemetry: RedeemerTelemetry
    /// Hears every batch of events once it is durable (the node feeds redemptions and expiries to its live recipient).
    let onRecorded: @Sendable ([EventEnvelope]) -> Void

    /// `host` must run `PaymentsLedgerProjection` over the log `sink` ends in.
    public init(chain: any SettlementChain, host: ProjectionHost, sink: any EventSink, orchestrator: Address,
                redeemer: Redeemer = Redeemer(), clock: any EventClock, telemetry: RedeemerTelemetry = RedeemerTelemetry(),
                onRecorded: @escaping @Sendable ([EventEnvelope]) -> Void = { _ in })
        throws(ProjectionHostError) {
        _ = try host.state(of: PaymentsLedgerProjection.self)
        self.chain = chain
        self.host = host
        self.sink = sink
        self.orchestrator = orchestrator
        self.redeemer = redeemer
        self.clock = clock
        self.telemetry = telemetry
        self.onRecorded = onRecorded
    }

    public var log: EventLog { host.log }

    /// What one step did.
    public struct Step: Sendable {
        public var redeemed = 0
        public var expired = 0
        public var deferred = 0
        public var transactionID: Hash32?
    }

    /// This orchestrator's winners not yet redeemed or expired, as the host has applied the log.
    public func pending() throws -> [PendingWinner] {
        let ledger = try host.state(of: PaymentsLedgerProjection.self)
        let me = orchestrator.checksummed
        return ledger.pending.values.filter { $0.recipient == me }.compactMap { winner in
            (try? JSONParser.parse(winner.ticket)).flatMap { try? SignedTicket(json: $0) }.map(PendingWinner.init)
        }.sorted { $0.hash < $1.hash }
    }

    /// Plans and, when the plan says so, redeems one batch at `gasPrice`. Returns once the host has applied
    /// everything it recorded, so the next step reads its own writes.
    public func step(gasPrice: UInt256) async throws -> Step {
        try await host.waitUntilApplied(through: log.head.sequence)
        var step = Step()
        let state = chain.state
        let plan = redeemer.plan(try pending(), claimant: orchestrator, chain: state, gasPrice: gasPrice)
        step.deferred = plan.deferred.count
        let expired = plan.expired.map { expiredEnvelope($0, reason: "validity window passed before redemption") }
        step.expired = plan.expired.count
        telemetry.planned(gasPrice: gasPrice, expired: plan.expired.count)
        if !plan.alreadyUsed.isEmpty {
            // Used on chain but never recorded: `recover()` records them from the receipt that used them.
            try await recover()
        }
        try await record(expired)
        guard !plan.batch.isEmpty else { return step }
        let id = Self.transactionID(plan.batch.map(\.hash))
        step.transactionID = id
        let faceValue = plan.batch.reduce(UInt256.zero) { (try? $0 + $1.ticket.faceValue) ?? .max }
        let gasLimit = state.config.redemptionGas(tickets: plan.batch.count)
        let submitted = envelope("redemption.submitted", id: "redeem/\(id.hex)/submitted", keys: EventKeys(orchestrator: orchestrator.checksummed), payload: [
            "txHash": .string(id.hex), "tickets": .array(plan.batch.map { .string($0.hash.hex) }),
            "gasPrice": .string(gasPrice.description), "gasLimit": .integer(Int64(gasLimit)), "faceValue": .string(faceValue.description),
        ])
        // Durable and in the log before the chain sees the batch: `recover()` reads it from the log.
        try await record([submitted])
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
        try await host.waitUntilApplied(through: log.head.sequence)
        let (log, me) = (log, orchestrator.checksummed)
        let (submitted, closed) = try await BlockingCalls.run { try Self.redemptions(in: log, orchestrator: me) }
        var recovered = 0
        let pendingByHash = Dictionary(try pending().map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        for (id, entry) in submitted.sorted(by: { $0.key < $1.key }) where !closed.contains(id) {
            let chain = chain
            if let receipt = try await BlockingCalls.run({ try chain.receipt(id: id.hex) }) {
                let batch = entry.tickets.compactMap { pendingByHash[$0] }
                _ = try await record(receipt, batch: batch, id: id, gasPrice: receipt.gasPrice ?? entry.gasPrice)
            } else {
                try await record([envelope("redemption.failed", id: "redeem/\(id.hex)/failed",
                                           keys: EventKeys(orchestrator: orchestrator.checksummed),
                                           payload: ["txHash": .string(id.hex), "reason": "not sent before a restart"])])
            }
            recovered += 1
        }
        return recovered
    }

    /// The submitted redemptions in the log (id → tickets, gas price) and the ids confirmed or failed.
    private static func redemptions(in log: EventLog, orchestrator: String) throws
        -> ([Hash32: (tickets: [Hash32], gasPrice: UInt256)], Set<Hash32>) {
        var submitted: [Hash32: (tickets: [Hash32], gasPrice: UInt256)] = [:]
        var closed: Set<Hash32> = []
        try log.scan(topic: .settlement, key: (.orchestrator, orchestrator)) { stored in
            let record = try stored.record()
            let payload = record.envelope.payload
            guard let id = payload["txHash"]?.stringValue.flatMap({ try? Hash32(hex: $0) }) else { return true }
            switch record.envelope.type {
            case "redemption.submitted":
                let tickets = (payload["tickets"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap { try? Hash32(hex: $0) } }
                submitted[id] = (tickets, (try? UInt256(decimal: payload["gasPrice"]?.stringValue ?? "0")) ?? .zero)
            case "redemption.confirmed", "redemption.failed": closed.insert(id)
            default: break
            }
            return true
        }
        return (submitted, closed)
    }

    /// Writes the confirmation (the receipt) and each ticket's outcome; returns how many tickets were paid.
    private func record(_ receipt: ChainReceipt, batch: [PendingWinner], id: Hash32, gasPrice: UInt256) async throws -> Int {
        var envelopes: [EventEnvelope] = []
        let byHash = Dictionary(batch.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        var paid = UInt256.zero, faceValue = UInt256.zero, count = 0
        for redemption in receipt.redemptions {
            guard let winner = byHash[redemption.ticketHash] else { continue }
            if let rejection = redemption.rejection {
                envelopes.append(expiredEnvelope(winner, reason: "refused by the chain: \(rejection.rawValue)"))
                continue
            }
            count += 1
            paid = (try? paid + redemption.paid) ?? .max
            faceValue = (try? faceValue + redemption.faceValue) ?? .max
            envelopes.append(envelope("ticket.redeemed", id: "redeemed/\(redemption.ticketHash.hex)",
                                      keys: keys(for: winner), payload: [
                "ticketHash": .string(redemption.ticketHash.hex), "txHash": .string(id.hex),
                "faceValue": .string(redemption.faceValue.description),
                "paidFromDeposit": .string(redemption.fromDeposit.description),
                "paidFromReserve": .string(redemption.fromReserve.description),
            ]))
        }
        if receipt.accepted {
            envelopes.append(confirmedEnvelope(receipt, id: id, gasPrice: gasPrice, redeemed: count, paid: paid, faceValue: faceValue))
        } else {
            envelopes.append(envelope("redemption.failed", id: "redeem/\(id.hex)/failed",
                                      keys: EventKeys(orchestrator: orchestrator.checksummed),
                                      payload: ["txHash": .string(id.hex), "reason": .string(receipt.rejection?.rawValue ?? "refused")]))
        }
        try await record(envelopes)
        telemetry.recorded(receipt, transaction: id, redeemed: count)
        return count
    }

    /// `redemption.confirmed` v2: the receipt's gas and price, what was paid and how the chain split it.
    private func confirmedEnvelope(_ receipt: ChainReceipt, id: Hash32, gasPrice: UInt256, redeemed: Int, paid: UInt256,
                                   faceValue: UInt256) -> EventEnvelope {
        let split = receipt.fees
        let round = split?.round ?? Int64(receipt.block / max(chain.state.config.blocksPerRound, 1))
        let delegators: [JSONValue] = (split?.delegators ?? [:]).sorted { $0.key < $1.key }.map {
            ["delegator": .string($0.key), "amount": .string($0.value.description)]
        }
        var event = envelope("redemption.confirmed", id: "redeem/\(id.hex)/confirmed",
                             keys: EventKeys(orchestrator: orchestrator.checksummed), payload: [
            "txHash": .string(id.hex), "block": .integer(Int64(receipt.block)), "round": .integer(round),
            "gasUsed": .integer(Int64(receipt.gasUsed)), "gasPrice": .string((receipt.gasPrice ?? gasPrice).description),
            "gasCost": .string(receipt.gasCost.description), "redeemed": .integer(Int64(redeemed)),
            "ticketsPaid": .integer(Int64(split?.tickets ?? redeemed)), "faceValue": .string(faceValue.description),
            "amount": .string((split?.amount ?? paid).description),
            "orchestratorShare": .string((split?.orchestratorShare ?? paid).description),
            "delegatorShare": .string((split?.delegatorShare ?? .zero).description), "delegators": .array(delegators),
        ])
        event.version = 2
        return event
    }

    /// Persists `envelopes` through the sink (durable on return), then waits until the host has applied each of
    /// them (in distributed mode the log lags the topics), so what follows reads them.
    private func record(_ envelopes: [EventEnvelope]) async throws {
        guard !envelopes.isEmpty else { return }
        try await sink.persist(envelopes)
        onRecorded(envelopes)
        for envelope in envelopes { try await host.waitUntilApplied(eventID: envelope.id) }
    }

    private func expiredEnvelope(_ winner: PendingWinner, reason: String) -> EventEnvelope {
        envelope("ticket.expired", id: "expired/\(winner.hash.hex)", keys: keys(for: winner), payload: [
            "ticketHash": .string(winner.hash.hex), "faceValue": .string(winner.ticket.faceValue.description),
            "creationRound": .integer(winner.ticket.creationRound), "reason": .string(reason),
        ])
    }

    private func keys(for winner: PendingWinner) -> EventKeys {
        EventKeys(orchestrator: orchestrator.checksummed, sender: winner.ticket.sender.checksummed)
    }

    private func envelope(_ type: String, id: String, keys: EventKeys, payload: JSONValue) -> EventEnvelope {
        let topic: Topic = type.hasPrefix("ticket.") ? .tickets : .settlement
        return EventEnvelope(id: id, type: type, version: 1, topic: topic, keys: keys, timestamp: clock.nowMilliseconds(),
                             payload: payload)
    }

    /// The batch's id: keccak256 of its ticket hashes in order (the same batch always gets the same id).
    public static func transactionID(_ hashes: [Hash32]) -> Hash32 {
        var hasher = Keccak256()
        for hash in hashes { hash.withUnsafeBytes { hasher.update($0) } }
        return hasher.finalize()
    }
}
