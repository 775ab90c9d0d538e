public import Logging
import Projections
public import ServiceLifecycle

/// The redeemer as a `Service`: recovers what a crash left in flight, then takes a redemption step whenever there
/// may be something to do — the projection host applied new events (new winners), the chain mined a block (rounds
/// pass, tickets near expiry), or the gas price changed. Wake-ups coalesce (one pending at most); graceful shutdown
/// stops it between steps. A failed step is logged and retried on the next wake-up; a failed host stops it.
public struct RedeemerService: Service {
    public let redemption: RedemptionService
    public let gasPrice: GasPriceSource
    public let ticker: ChainTicker?
    private let logger: Logger

    public init(redemption: RedemptionService, gasPrice: GasPriceSource, ticker: ChainTicker? = nil,
                logger: Logger = Logger(label: "redeemer")) {
        self.redemption = redemption
        self.gasPrice = gasPrice
        self.ticker = ticker
        self.logger = logger
    }

    public func run() async throws {
        let recovered = try await redemption.recover()
        if recovered > 0 { logger.info("recovered redemptions in flight", metadata: ["count": "\(recovered)"]) }
        let (redemption, gasPrice, ticker, logger) = (redemption, gasPrice, ticker, logger)
        var sources: [@Sendable () -> AsyncStream<Void>] = [{ gasPrice.changes().wakeUps }]
        if let ticker { sources.append { ticker.blocks().wakeUps } }
        try await RedeemerWakeLoop.run(store: redemption.store, sources: sources, logger: logger) {
            let step = try await redemption.step(gasPrice: gasPrice.current)
            if step.redeemed > 0 || step.expired > 0 {
                logger.info("redemption step", metadata: [
                    "redeemed": "\(step.redeemed)", "expired": "\(step.expired)", "deferred": "\(step.deferred)"])
            }
        }
    }
}
