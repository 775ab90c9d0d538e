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
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let host = redemption.host
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in host.updates() { wake.yield() }
                wake.finish()  // the host stopped: so does the redeemer
            }
            if let ticker {
                group.addTask { for await _ in ticker.blocks() { wake.yield() } }
            }
            group.addTask { for await _ in gasPrice.changes() { wake.yield() } }
            for await _ in wakes.cancelOnGracefulShutdown() {
                do {
                    let step = try await redemption.step(gasPrice: gasPrice.current)
                    if step.redeemed > 0 || step.expired > 0 {
                        logger.info("redemption step", metadata: [
                            "redeemed": "\(step.redeemed)", "expired": "\(step.expired)", "deferred": "\(step.deferred)"])
                    }
                } catch let failure as ProjectionHostError {
                    group.cancelAll()
                    throw failure
                } catch {
                    logger.error("redemption step failed", metadata: ["error": "\(error)"])
                }
            }
            group.cancelAll()
            if let failure = host.failure { throw failure }
        }
    }
}
