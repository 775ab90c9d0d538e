import Foundation
public import EthCrypto
public import EventLog
public import EventModel
import JSONCore
import Payments

/// The orchestrator's redeemer at work: reads its winning tickets from the `payments` projection, asks the
/// `Redeemer` what to do at the current gas price, and records every step in the log — `redemption.submitted`
/// before the chain sees the batch, then `redemption.confirmed` with one `ticket.redeemed` per paid ticket,
/// or `ticket.expired` with the reason. Event ids and the chain's transaction ids are derived from the batch,
/// so after a kill at any moment `recover()` finishes or closes what was in flight and nothing is paid twice.
public final class RedemptionService {
    public let chain: any SettlementChain
    public let log: EventLog
    public let orchestrator: Address
    public let redeemer: Redeemer
    private let clock: any EventClock
    private let runner: ProjectionRunner
    /// Where the redeemer reports metrics and logs (the process's registry by default).
    public var telemetry = RedeemerTelemetry()

    public init(chain: any SettlementChain, log: EventLog, orchestrator: Address, redeemer: Redeemer = Redeemer(),
                clock: any EventClock) throws {
        self.chain = chain
        self.log = log
        self.orchestrator = orchestrator
        self.redeemer = redeemer
        self.clock = clock
        runner = try ProjectionRunner(log: log, projections: [PaymentsLedgerProjection()])
    }

    /// What one step did.
    public struct Step: Sendable {
        public var redeemed = 0
        public var expired = 0
        public var deferred = 0
        public var transactionID: Hash32?
    }

    /// This orchestrator's winners not yet redeemed or expired, from the log.
    public func pending() throws -> [PendingWinner] {
        _ = try runner.catchUp()
        guard let bytes = try runner.storedState(named: "payments") else { return [] }
        let ledger = try JSONValueDecoder().decode(RecipientLedger.self, from: JSONParser.parse(bytes))
        let me = orchestrator.checksummed
        return ledger.pending.values.filter { $0.recipient == me }.compactMap { winner in
            (try? JSONParser.parse(winner.ticket)).flatMap { try? SignedTicket(json: $0) }.map(PendingWinner.init)
        }.sorted { $0.hash < $1.hash }
    }

    /// Plans and, when the plan says so, redeems one batch at `gasPrice`.
    public func step(gasPrice: UInt256) throws -> Step {
        var step = Step()
        let state = chain.state
        let plan = redeemer.plan(try pending(), claimant: orchestrator, chain: state, gasPrice: gasPrice)
        step.deferred = plan.deferred.count
        var envelopes: [EventEnvelope] = []
        for winner in plan.expired {
            envelopes.append(expiredEnvelope(winner, reason: "validity window passed before redemption"))
        }
        step.expired = plan.expired.count
        telemetry.planned(gasPrice: gasPrice, expired: plan.expired.count)
        if !plan.alreadyUsed.isEmpty {
            // Used on chain but never recorded: `recover()` records them from the receipt that used them.
            try recover()
        }
        if !envelopes.isEmpty { _ = try log.appendAndWait(envelopes.map { try PreparedEvent($0) }) }
        guard !plan.batch.isEmpty else { return step }
        let id = Self.transactionID(plan.batch.map(\.hash))
        step.transactionID = id
        let faceValue = plan.batch.reduce(UInt256.zero) { (try? $0 + $1.ticket.faceValue) ?? .max }
        let gasLimit = state.config.redemptionGas(tickets: plan.batch.count)
        let submitted = envelope("redemption.submitted", id: "redeem/\(id.hex)/submitted", keys: EventKeys(orchestrator: orchestrator.checksummed), payload: [
            "txHash": .string(id.hex), "tickets": .array(plan.batch.map { .string($0.hash.hex) }),
            "gasPrice": .string(gasPrice.description), "gasLimit": .integer(Int64(gasLimit)), "faceValue": .string(faceValue.description),
        ])
        _ = try log.appendAndWait([try PreparedEvent(submitted)])
        let receipt = try chain.submit(.redeem(plan.batch.map(\.signed)), from: orchestrator, gasPrice: gasPrice, id: id.hex)
        step.redeemed = try record(receipt, batch: plan.batch, id: id)
        return step
    }

    /// Finishes what a crash interrupted: each `redemption.submitted` without a confirmation is confirmed
    /// from the chain's receipt, or closed as failed when the chain never received it.
    @discardableResult
    public func recover() throws -> Int {
        var submitted: [Hash32: [Hash32]] = [:]
        var closed: Set<Hash32> = []
        try log.scan(topic: .settlement, key: (.orchestrator, orchestrator.checksummed)) { stored in
            let record = try stored.record()
            let payload = record.envelope.payload
            guard let id = payload["txHash"]?.stringValue.flatMap({ try? Hash32(hex: $0) }) else { return true }
            switch record.envelope.type {
            case "redemption.submitted":
                submitted[id] = (payload["tickets"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap { try? Hash32(hex: $0) } }
            case "redemption.confirmed", "redemption.failed": closed.insert(id)
            default: break
            }
            return true
        }
        var recovered = 0
        let pendingByHash = Dictionary(try pending().map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        for (id, hashes) in submitted where !closed.contains(id) {
            if let receipt = try chain.receipt(id: id.hex) {
                let batch = hashes.compactMap { pendingByHash[$0] }
                _ = try record(receipt, batch: batch, id: id)
            } else {
                let failed = envelope("redemption.failed", id: "redeem/\(id.hex)/failed",
                                      keys: EventKeys(orchestrator: orchestrator.checksummed),
                                      payload: ["txHash": .string(id.hex), "reason": "not sent before a restart"])
                _ = try log.appendAndWait([try PreparedEvent(failed)])
            }
            recovered += 1
        }
        return recovered
    }

    /// Writes the confirmation and each ticket's outcome; returns how many tickets were paid.
    private func record(_ receipt: ChainReceipt, batch: [PendingWinner], id: Hash32) throws -> Int {
        var envelopes: [EventEnvelope] = []
        let byHash = Dictionary(batch.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        var paid = UInt256.zero, count = 0
        for redemption in receipt.redemptions {
            guard let winner = byHash[redemption.ticketHash] else { continue }
            if let rejection = redemption.rejection {
                envelopes.append(expiredEnvelope(winner, reason: "refused by the chain: \(rejection.rawValue)"))
                continue
            }
            count += 1
            paid = (try? paid + redemption.paid) ?? .max
            envelopes.append(envelope("ticket.redeemed", id: "redeemed/\(redemption.ticketHash.hex)",
                                      keys: keys(for: winner), payload: [
                "ticketHash": .string(redemption.ticketHash.hex), "txHash": .string(id.hex),
                "faceValue": .string(redemption.faceValue.description),
                "paidFromDeposit": .string(redemption.fromDeposit.description),
                "paidFromReserve": .string(redemption.fromReserve.description),
            ]))
        }
        if receipt.accepted {
            envelopes.append(envelope("redemption.confirmed", id: "redeem/\(id.hex)/confirmed",
                                      keys: EventKeys(orchestrator: orchestrator.checksummed), payload: [
                "txHash": .string(id.hex), "block": .integer(Int64(receipt.block)), "gasUsed": .integer(Int64(receipt.gasUsed)),
                "gasCost": .string(receipt.gasCost.description), "redeemed": .integer(Int64(count)), "amount": .string(paid.description),
            ]))
        } else {
            envelopes.append(envelope("redemption.failed", id: "redeem/\(id.hex)/failed",
                                      keys: EventKeys(orchestrator: orchestrator.checksummed),
                                      payload: ["txHash": .string(id.hex), "reason": .string(receipt.rejection?.rawValue ?? "refused")]))
        }
        _ = try log.appendAndWait(envelopes.map { try PreparedEvent($0) })
        telemetry.recorded(receipt, transaction: id, redeemed: count)
        return count
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
