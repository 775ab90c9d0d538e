import EthCrypto
import Logging
import Payments
import Projections
public import ServiceLifecycle
import Settlement

/// The node's redeemer on a real chain as a `Service`: recovers what a crash left in flight, then wakes on new
/// winners (the projection host's updates) and on each new chain context (block, round, gas), and redeems once
/// `minBatch` winners are pending or the oldest is in its last valid round. Gas above the fee cap defers the batch.
public struct EthereumRedeemerService: Service {
    public let redemption: EthereumRedemptionService
    public let watcher: EthereumChainWatcher
    public let minBatch: Int
    /// Rounds a ticket stays valid (the TicketBroker's ticketValidityPeriod).
    public let validityRounds: Int64
    private let logger = Logger(label: "redeemer")

    public init(redemption: EthereumRedemptionService, watcher: EthereumChainWatcher, minBatch: Int, validityRounds: Int64) {
        self.redemption = redemption
        self.watcher = watcher
        self.minBatch = max(1, minBatch)
        self.validityRounds = validityRounds
    }

    public func run() async throws {
        let recovered = try await redemption.recover()
        if recovered > 0 { logger.info("recovered redemptions in flight", metadata: ["count": "\(recovered)"]) }
        let watcher = watcher
        try await RedeemerWakeLoop.run(store: redemption.recorder.store, sources: [{ watcher.changes().wakeUps }], logger: logger) {
            try await stepWhileDue()
        }
    }

    /// Redeems batch after batch while enough winners are pending (or one is about to expire).
    func stepWhileDue() async throws {
        while true {
            try await redemption.recorder.caughtUp()
            let pending = try redemption.recorder.pending()
            let round = watcher.context.currentRound
            let urgent = pending.contains { $0.ticket.creationRound + validityRounds - 1 <= round }
            guard pending.count >= minBatch || (urgent && !pending.isEmpty) else { return }
            let step = try await redemption.step()
            if step.waitingForGas {
                logger.info("gas above the cap: batch deferred", metadata: ["pending": "\(pending.count)"])
                return
            }
            logger.info("redemption step", metadata: ["redeemed": "\(step.redeemed)", "refused": "\(step.refused)",
                                                      "transaction": "\(step.transaction?.hex ?? "-")"])
            if step.reverted {
                // Mined with status 0 (recorded with its gas): try again on the next block or round, not at once.
                logger.warning("redemption reverted: its tickets wait for the next block", metadata: ["transaction": "\(step.transaction?.hex ?? "-")"])
                return
            }
            if step.transaction == nil && step.refused == 0 { return }
        }
    }
}
