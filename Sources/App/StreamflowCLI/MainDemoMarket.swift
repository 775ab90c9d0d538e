import Benchmarks
import EthCrypto
import EventLog
import Projections
import Settlement

/// What the main demo (`NodeDemo`) needs from its market: on the embedded chain (`NodeDemoMarket`) or on a real one
/// over JSON-RPC (`EthDemoMarket`). Both run the same 4 orchestrator nodes on one shared log; they differ in who moves
/// the chain, who redeems, and what the log is reconciled with.
protocol MainDemoMarket: AnyObject {
    var log: EventLog { get }
    var sink: LogEventSink { get }
    var host: ProjectionHost { get }
    var broadcaster: PrivateKey { get }
    /// The orchestrators, in the order of `NodeDemoMarket.roles`.
    var members: [DemoMember] { get }
    /// The broadcaster's deposit and reserve as the chain has them.
    var funds: (deposit: UInt256, reserve: UInt256) { get }
    /// The highest price the broadcaster accepts, wei per pixel.
    var maxPricePerPixel: Double { get }
    /// One line naming the chain, for the demo's banner.
    var chainDescription: String { get }

    /// Starts every orchestrator and registers its address on the chain.
    func start() async throws
    /// The active set as a broadcaster reads it from the chain: service URI → stake.
    func activeSet() async throws -> [String: Double]
    /// A segment has been streamed (the embedded chain advances and redeems here; a real chain moves on its own).
    func segmentDone(index: Int) async throws
    /// Stops one orchestrator (the demo's dying one).
    func stop(_ index: Int) async
    /// Ends the run: the winners still pending are redeemed.
    func settle() async throws
    func stopAll() async
    func stopProjections() async throws
    /// What the chain paid and its gas, and the log reconciled with the chain.
    func settlement(report: FeeReport) async throws -> DemoSettlementTotals
}

/// One orchestrator of the demo as the demo prints it.
struct DemoMember {
    var name: String
    var url: String
    var pricePerPixel: UInt64
}

/// The settlement numbers the demo's summary closes with.
struct DemoSettlementTotals {
    var gasCost = UInt256.zero
    var redeemedValue = UInt256.zero
    var transactions = 0
    /// Empty when the log and the chain agree to the wei.
    var differences: [String] = []
    /// What the log was reconciled with.
    var reconciledWith = "the chain"
}
