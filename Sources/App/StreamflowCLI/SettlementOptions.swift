import ArgumentParser
import EthCrypto
import Payments
import StreamflowNode

/// The settlement options of an orchestrator node: the embedded chain its tickets name and its redeemer cashes winners
/// on, the ticket parameters, and when the redeemer sends a batch.
struct SettlementOptions: ParsableArguments {
    @Option(help: "The settlement chain's directory (the embedded chain): tickets name its rounds, the redeemer cashes winners on it.")
    var chain: String?
    @Option(help: "Gas price in wei for ticket parameters and redemptions.") var gasPriceWei: UInt64 = 1_000_000_000
    @Option(help: "Expected value of one ticket in wei (default: go-livepeer's).") var ticketEv: UInt64?
    @Option(help: "Face value as a multiple of the larger of EV and the redemption cost (go-livepeer's txCostMultiplier).")
    var ticketMultiplier: UInt64 = 100
    @Option(help: "Winning tickets gathered before a redemption while waiting costs nothing.") var redeemMinTickets = 10
    @Option(help: "Ignored (kept for old scripts): the redeemer wakes on new winners, blocks and gas-price changes.")
    var redeemEvery: Double = 10
    @Option(help: "With --chain: advance the embedded chain a block every this many seconds (0: never).")
    var blockSeconds: Double = 2

    /// The ticket policy these options give.
    var policy: TicketPolicy {
        var policy = TicketPolicy(txCostMultiplier: ticketMultiplier)
        if let ticketEv { policy.expectedValue = UInt256(ticketEv) }
        return policy
    }

    /// The chain these options name (the stand-alone context without --chain).
    var nodeChain: NodeChain {
        chain.map {
            .embedded(EmbeddedChainSettings(directory: $0, gasPrice: UInt256(gasPriceWei), minBatch: redeemMinTickets,
                                            blockSeconds: blockSeconds))
        } ?? .standalone
    }
}
