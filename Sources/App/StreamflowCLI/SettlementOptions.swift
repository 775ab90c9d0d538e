import ArgumentParser
import EthCrypto
import EthereumRedemption
import EthereumSettlement
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
    @Option(help: "Settle on a real chain: its JSON-RPC URL (needs --eth-controller; the node key must be a registered orchestrator).")
    var ethRpc: String?
    @Option(help: "Livepeer's Controller address on --eth-rpc (go-livepeer's -ethController).")
    var ethController: String?
    @Option(help: "With --eth-rpc: refuse a node on another chain (Arbitrum One: 42161).")
    var ethChainId: UInt64?
    @Option(help: "With --eth-rpc: never offer more than this per gas (e.g. 50gwei); above it redemptions wait.")
    var ethMaxFeePerGas: String?
    @Option(help: "With --eth-rpc: the most winning tickets in one redemption transaction.")
    var ethMaxBatch = 30
    @Option(help: "With --eth-rpc: seconds between reads of the chain (block, round, gas).")
    var ethPollSeconds: Double = 2
    @Flag(help: "With --eth-rpc: call initializeRound() when a round starts that nobody has initialised (go-livepeer's -initializeRound).")
    var ethInitializeRound = false

    func validate() throws {
        guard (ethRpc == nil) == (ethController == nil) else { throw ValidationError("--eth-rpc and --eth-controller go together") }
        guard ethRpc == nil || chain == nil else { throw ValidationError("--chain (embedded) and --eth-rpc are exclusive") }
        if let ethController, (try? Address(ethController)) == nil { throw ValidationError("--eth-controller is not an address") }
        guard (1...200).contains(ethMaxBatch) else { throw ValidationError("--eth-max-batch must be 1…200") }
        guard ethPollSeconds > 0, ethPollSeconds <= 600 else { throw ValidationError("--eth-poll-seconds must be in (0, 600]") }
    }

    /// The ticket policy these options give.
    var policy: TicketPolicy {
        var policy = TicketPolicy(txCostMultiplier: ticketMultiplier)
        if let ticketEv { policy.expectedValue = UInt256(ticketEv) }
        return policy
    }

    /// The chain these options name (the stand-alone context without --chain or --eth-rpc). With --eth-rpc it
    /// connects now: Livepeer's contracts from the Controller, the chain read once.
    func nodeChain(key: PrivateKey) async throws -> NodeChain {
        if let ethRpc, let ethController {
            let cap = try ethMaxFeePerGas.map { try EtherAmount.parse($0, option: "--eth-max-fee-per-gas") }
            let settings = EthereumChainSettings(rpcURL: ethRpc, controller: try Address(ethController), chainID: ethChainId,
                                                 policy: FeePolicy(maxFeePerGasCap: cap), maxBatch: ethMaxBatch, minBatch: redeemMinTickets,
                                                 pollInterval: .milliseconds(Int64(ethPollSeconds * 1_000)),
                                                 initializeRounds: ethInitializeRound)
            do { return .ethereum(try await EthereumNodeChain.connect(settings, key: key)) } catch { throw CLIError("--eth-rpc: \(error)") }
        }
        return chain.map {
            .embedded(EmbeddedChainSettings(directory: $0, gasPrice: UInt256(gasPriceWei), minBatch: redeemMinTickets,
                                            blockSeconds: blockSeconds))
        } ?? .standalone
    }
}
