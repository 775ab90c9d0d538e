public import EthCrypto

/// The constants of a settlement chain: round length, unlock and validity periods, the active set size,
/// the gas a redemption costs, and LPT issuance per round. Defaults follow Livepeer on Arbitrum where a
/// figure is known (active set 100, ticket validity 2 rounds); tests use short rounds.
public struct ChainConfig: Sendable, Hashable, Codable {
    public var blocksPerRound: UInt64
    public var unlockPeriodRounds: Int64
    public var ticketValidityRounds: Int64
    public var activeSetSize: Int
    /// Gas of a redemption transaction: a base cost plus a cost per ticket in it. The defaults are Livepeer's own
    /// TicketBroker (Arbitrum bytecode on py-evm, cold storage): `batchRedeemWinningTickets` of n tickets costs
    /// ≈ 213k + 81k·n (295k for 1, 1.02M for 10, 2.64M for 30); go-livepeer's single `redeemWinningTicket` 297k.
    public var gasPerTransaction: UInt64
    public var gasPerTicket: UInt64
    /// LPT minted per round and shared by the active set in proportion to stake.
    public var rewardPerRound: UInt256

    public init(blocksPerRound: UInt64 = 5_760, unlockPeriodRounds: Int64 = 2, ticketValidityRounds: Int64 = 2,
                activeSetSize: Int = 100, gasPerTransaction: UInt64 = 213_000, gasPerTicket: UInt64 = 81_000,
                rewardPerRound: UInt256 = UInt256(1_000_000_000_000_000_000)) {
        self.blocksPerRound = blocksPerRound
        self.unlockPeriodRounds = unlockPeriodRounds
        self.ticketValidityRounds = ticketValidityRounds
        self.activeSetSize = activeSetSize
        self.gasPerTransaction = gasPerTransaction
        self.gasPerTicket = gasPerTicket
        self.rewardPerRound = rewardPerRound
    }

    /// Gas of a transaction redeeming `tickets` tickets.
    public func redemptionGas(tickets: Int) -> UInt64 { gasPerTransaction + gasPerTicket * UInt64(tickets) }
}
