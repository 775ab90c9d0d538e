import Foundation
public import EthCrypto
public import Projections

/// Finance's view of the fee ledger: fees by orchestrator, delegator, round or stream, folded from the log (the
/// redemption receipts and fee debits it recorded) or taken from a chain's own ledger; the two reconcile to the wei.
public struct FeeReport: Sendable, Codable {
    public enum Grouping: String, Sendable, Codable, CaseIterable {
        case orchestrator, delegator, round, stream
    }

    public struct Row: Sendable, Codable, Equatable {
        public var key: String
        /// Face value paid out of broadcasters' deposits and reserves (for streams: fees charged).
        public var fees: UInt256 = .zero
        public var orchestratorShare: UInt256 = .zero
        public var delegatorShare: UInt256 = .zero
        public var tickets = 0
        public var transactions = 0
        public var gasCost: UInt256 = .zero
        /// gasCost ÷ fees.
        public var gasShare: Double { fees.isZero ? 0 : gasCost.doubleValue / fees.doubleValue }
    }

    public let grouping: Grouping
    public let fromRound: Int64?
    public let toRound: Int64?
    public let rows: [Row]
    public let total: Row

    /// Groups the chain's fee ledger; `streamCharges` (stream → wei charged) is needed only `by: .stream`.
    public init(chain: ChainState, by grouping: Grouping, fromRound: Int64? = nil, toRound: Int64? = nil,
                streamCharges: [String: UInt256] = [:]) {
        let fees = chain.fees.mapValues { byOrchestrator in
            Dictionary(uniqueKeysWithValues: byOrchestrator.map { ($0.key.checksummed, $0.value) })
        }
        self.init(fees: fees, by: grouping, fromRound: fromRound, toRound: toRound, streamCharges: streamCharges)
    }

    /// Groups the fee ledger folded from the log (`FeeLedgerProjection`): the same figures as the chain's, from
    /// the redemption receipts and fee debits the log recorded.
    public init(ledger: FeeLedgerProjection.State, by grouping: Grouping, fromRound: Int64? = nil, toRound: Int64? = nil) {
        func wei(_ text: String) -> UInt256 { (try? UInt256(decimal: text)) ?? .zero }
        var fees: [Int64: [String: ChainState.RoundFees]] = [:]
        for (roundText, byOrchestrator) in ledger.rounds {
            guard let round = Int64(roundText) else { continue }
            for (orchestrator, entry) in byOrchestrator {
                var row = ChainState.RoundFees()
                row.total = wei(entry.total)
                row.orchestratorShare = wei(entry.orchestratorShare)
                row.delegatorShare = wei(entry.delegatorShare)
                row.tickets = entry.tickets
                row.transactions = entry.transactions
                row.gasCost = wei(entry.gasCost)
                row.delegators = entry.delegators.mapValues(wei)
                fees[round, default: [:]][orchestrator] = row
            }
        }
        self.init(fees: fees, by: grouping, fromRound: fromRound, toRound: toRound, streamCharges: ledger.streams.mapValues(wei))
    }

    /// Groups a fee ledger: round → orchestrator (checksummed) → fees.
    init(fees table: [Int64: [String: ChainState.RoundFees]], by grouping: Grouping, fromRound: Int64?, toRound: Int64?,
         streamCharges: [String: UInt256]) {
        self.grouping = grouping
        self.fromRound = fromRound
        self.toRound = toRound
        var rows: [String: Row] = [:]
        func add(_ key: String, _ body: (inout Row) -> Void) {
            var row = rows[key] ?? Row(key: key)
            body(&row)
            rows[key] = row
        }
        let rounds = table.keys.filter { ($0 >= (fromRound ?? .min)) && ($0 <= (toRound ?? .max)) }.sorted()
        switch grouping {
        case .stream:
            for (stream, charged) in streamCharges { add(stream) { $0.fees = charged } }
        default:
            for round in rounds {
                for (orchestrator, fees) in table[round] ?? [:] {
                    switch grouping {
                    case .orchestrator, .round:
                        let key = grouping == .round ? String(round) : orchestrator
                        add(key) { row in
                            row.fees = (try? row.fees + fees.total) ?? .max
                            row.orchestratorShare = (try? row.orchestratorShare + fees.orchestratorShare) ?? .max
                            row.delegatorShare = (try? row.delegatorShare + fees.delegatorShare) ?? .max
                            row.tickets += fees.tickets
                            row.transactions += fees.transactions
                            row.gasCost = (try? row.gasCost + fees.gasCost) ?? .max
                        }
                    case .delegator:
                        for (delegator, amount) in fees.delegators {
                            add(delegator) { row in
                                row.fees = (try? row.fees + amount) ?? .max
                                row.delegatorShare = row.fees
                            }
                        }
                    case .stream: break
                    }
                }
            }
        }
        let ordered = rows.values.sorted { grouping == .round ? (Int64($0.key) ?? 0) < (Int64($1.key) ?? 0) : $0.key < $1.key }
        self.rows = ordered
        var total = Row(key: "total")
        for row in ordered {
            total.fees = (try? total.fees + row.fees) ?? .max
            total.orchestratorShare = (try? total.orchestratorShare + row.orchestratorShare) ?? .max
            total.delegatorShare = (try? total.delegatorShare + row.delegatorShare) ?? .max
            total.tickets += row.tickets
            total.transactions += row.transactions
            total.gasCost = (try? total.gasCost + row.gasCost) ?? .max
        }
        self.total = total
    }

    static let columns = ["key", "fees_wei", "orchestrator_share_wei", "delegator_share_wei", "tickets", "transactions",
                          "gas_cost_wei", "gas_share"]

    static func fields(_ row: Row) -> [String] {
        [row.key, row.fees.description, row.orchestratorShare.description, row.delegatorShare.description, String(row.tickets),
         String(row.transactions), row.gasCost.description, String(format: "%.6f", row.gasShare)]
    }

    /// Comma-separated, with a header and a total line; amounts in wei.
    public var csv: String {
        ([Self.columns.joined(separator: ",")] + (rows + [total]).map { Self.fields($0).joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    /// Aligned columns for a terminal.
    public var table: String {
        let all = [Self.columns] + (rows + [total]).map(Self.fields)
        let widths = Self.columns.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { line in
            line.enumerated().map { index, field in
                index == 0 ? field.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - field.count) + field
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
