public import EventModel
import EthCrypto
import JSONCore
import Payments

/// The fee ledger as the log tells it: per round and orchestrator, the face value paid, its split between the
/// orchestrator and each delegator, the tickets that paid, redemption transactions and their gas, folded from
/// `redemption.confirmed` v2 (the chain's receipt; a `redemption.reverted` adds its transaction and gas only); and per stream the fees charged (`fee.debited`). Amounts are wei
/// in decimal. A v1 confirmation carries no round or split and is counted in `unsplit` only.
public struct FeeLedgerProjection: Projection {
    /// One orchestrator's fees in one round.
    public struct Fees: Codable, Sendable, Equatable {
        public var total = "0"
        public var orchestratorShare = "0"
        public var delegatorShare = "0"
        public var tickets = 0
        public var transactions = 0
        public var gasUsed: Int64 = 0
        public var gasCost = "0"
        /// Delegator (checksummed) → wei.
        public var delegators: [String: String] = [:]
    }

    public struct State: Codable, Sendable, Equatable {
        /// Round (decimal) → orchestrator (checksummed) → fees.
        public var rounds: [String: [String: Fees]] = [:]
        /// Stream (or session) → wei charged.
        public var streams: [String: String] = [:]
        /// Confirmations of version 1, which do not say their round or split.
        public var unsplit = 0
    }

    public init() {}
    public var name: String { "fees" }
    public var initialState: State { State() }

    public func apply(_ state: inout State, _ event: EventRecord) {
        let envelope = event.envelope
        if envelope.type == RedemptionConfirmed.type {
            // Version 1 (and, defensively, a payload that does not fit v2) says no round or split: counted apart.
            guard let orchestrator = envelope.keys.orchestrator, let confirmed = try? RedemptionConfirmed.decoded(from: envelope) else {
                state.unsplit += 1
                return
            }
            let receipt = confirmed.receipt
            var fees = state.rounds[String(receipt.round)]?[orchestrator] ?? Fees()
            fees.total = Self.add(fees.total, confirmed.amount)
            fees.orchestratorShare = Self.add(fees.orchestratorShare, confirmed.orchestratorShare)
            fees.delegatorShare = Self.add(fees.delegatorShare, confirmed.delegatorShare)
            fees.tickets += confirmed.ticketsPaid
            fees.transactions += 1
            fees.gasUsed += Int64(clamping: receipt.gasUsed)
            fees.gasCost = Self.add(fees.gasCost, receipt.gasCost)
            for entry in confirmed.delegators {
                fees.delegators[entry.delegator] = Self.add(fees.delegators[entry.delegator] ?? "0", entry.amount)
            }
            state.rounds[String(receipt.round), default: [:]][orchestrator] = fees
            return
        }
        if let orchestrator = envelope.keys.orchestrator, let reverted = try? RedemptionReverted.decoded(from: envelope) {
            // Mined and paid for, but it paid nothing: its gas is a cost of the round all the same.
            let receipt = reverted.receipt
            var fees = state.rounds[String(receipt.round)]?[orchestrator] ?? Fees()
            fees.transactions += 1
            fees.gasUsed += Int64(clamping: receipt.gasUsed)
            fees.gasCost = Self.add(fees.gasCost, receipt.gasCost)
            state.rounds[String(receipt.round), default: [:]][orchestrator] = fees
            return
        }
        if FeeDebited.matches(envelope) {
            let key = envelope.keys.stream ?? envelope.keys.session ?? "unknown"
            state.streams[key] = Self.add(state.streams[key] ?? "0", (try? FeeDebited(envelope: envelope))?.fee ?? .zero)
        }
    }

    static func add(_ total: String, _ amount: UInt256) -> String {
        ((try? UInt256(decimal: total)) ?? .zero).accumulating(amount).description
    }
}
