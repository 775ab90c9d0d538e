public import EthCrypto

/// The whole state of the embedded settlement chain: ETH balances, broadcaster deposits and reserves,
/// used tickets, reserve claims per round, transcoders and delegators with their LPT stake, and the fee
/// ledger. A deterministic value: the same transactions from the same genesis give the same state.
public struct ChainState: Sendable, Equatable, Codable {
    /// A broadcaster's funds in the TicketBroker.
    public struct Sender: Sendable, Equatable, Codable {
        public var deposit: UInt256 = .zero
        public var reserve: UInt256 = .zero
        /// The round from which deposit and reserve may be withdrawn, once unlocked.
        public var withdrawRound: Int64?
    }

    /// A registered transcoder (orchestrator): its cuts in parts per million and its own bonded stake.
    public struct Transcoder: Sendable, Equatable, Codable {
        public var rewardCut: UInt64
        public var feeShare: UInt64
    }

    /// LPT bonded by an account to a transcoder (itself for a transcoder's own stake).
    public struct Delegation: Sendable, Equatable, Codable {
        public var delegate: Address
        public var bonded: UInt256
    }

    /// Fees one orchestrator earned in one round, and how they were split (wei).
    public struct RoundFees: Sendable, Equatable, Codable {
        public var total: UInt256 = .zero
        public var orchestratorShare: UInt256 = .zero
        public var delegatorShare: UInt256 = .zero
        public var tickets = 0
        /// Redemption transactions the orchestrator sent this round and the gas they cost it.
        public var transactions = 0
        public var gasCost: UInt256 = .zero
        /// Each delegator's part of `delegatorShare`, by address.
        public var delegators: [String: UInt256] = [:]
    }

    public var config: ChainConfig
    public var block: UInt64 = 0
    public var blockHash: Hash32 = .zero
    /// The block hash at the start of each round (what a ticket's creationRoundBlockHash must match).
    public var roundBlockHashes: [Int64: Hash32] = [:]
    public var balances: [Address: UInt256] = [:]
    public var senders: [Address: Sender] = [:]
    public var usedTickets: Set<Hash32> = []
    /// round → sender → claimant → reserve paid out.
    public var reserveClaims: [Int64: [Address: [Address: UInt256]]] = [:]
    public var transcoders: [Address: Transcoder] = [:]
    /// Each account's service URI (ServiceRegistry), where broadcasters reach it.
    public var serviceURIs: [Address: String] = [:]
    public var delegations: [Address: Delegation] = [:]
    /// round → orchestrator → fees.
    public var fees: [Int64: [Address: RoundFees]] = [:]
    /// ETH created at genesis (faucet) and ETH spent on gas: the conservation invariant's two ends.
    public var minted: UInt256 = .zero
    public var gasBurned: UInt256 = .zero
    /// LPT minted as rewards, and "round/transcoder" for each reward already called.
    public var rewardsMinted: UInt256 = .zero
    public var rewarded: Set<String> = []

    public init(config: ChainConfig) {
        self.config = config
        roundBlockHashes[0] = .zero
    }

    public var round: Int64 { Int64(block / config.blocksPerRound) }

    public func balance(_ account: Address) -> UInt256 { balances[account] ?? .zero }
    public func sender(_ account: Address) -> Sender { senders[account] ?? Sender() }

    /// Total stake bonded to `transcoder` (its own and its delegators').
    public func stake(of transcoder: Address) -> UInt256 {
        delegations.values.reduce(UInt256.zero) { total, delegation in
            delegation.delegate == transcoder ? ((try? total + delegation.bonded) ?? .max) : total
        }
    }

    /// The top `activeSetSize` registered transcoders by stake (ties broken by address), stake > 0.
    public var activeSet: [Address] {
        let ranked = transcoders.keys.map { ($0, stake(of: $0)) }.filter { !$0.1.isZero }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return ranked.prefix(config.activeSetSize).map(\.0)
    }

    /// The active set as a broadcaster discovers it: address, total stake and service URI, by stake.
    public var activeOrchestrators: [(address: Address, stake: UInt256, serviceURI: String?)] {
        activeSet.map { ($0, stake(of: $0), serviceURIs[$0]) }
    }

    /// The active set as a broadcaster dials it: service URI → total stake (orchestrators without a URI left out).
    public var serviceStakes: [String: Double] {
        var stakes: [String: Double] = [:]
        for entry in activeOrchestrators {
            if let uri = entry.serviceURI { stakes[uri] = entry.stake.doubleValue }
        }
        return stakes
    }

    /// Money is conserved: balances + deposits + reserves + gas burned = minted.
    public var isConserved: Bool {
        var total = gasBurned
        for value in balances.values { total = (try? total + value) ?? .max }
        for sender in senders.values {
            total = (try? total + sender.deposit) ?? .max
            total = (try? total + sender.reserve) ?? .max
        }
        return total == minted
    }
}
