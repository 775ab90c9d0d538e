import EthCrypto
public import Logging
public import Telemetry

/// What the redeemer reports: transactions by outcome, tickets redeemed and expired, gas used and the gas price it
/// planned at (metrics in `StreamflowMetrics`), and a log line per transaction.
public struct RedeemerTelemetry: Reporting {
    public let reporter: Reporter

    /// Reports into `metrics` (the process's registry unless a test gives its own); counters start at zero.
    public init(metrics: MetricsRegistry = .process, logLevel: Logger.Level? = nil) {
        reporter = Reporter(component: "redeemer", metrics: metrics, counters: [.redeemerTicketsRedeemed, .redeemerTicketsExpired, .redeemerGasUsed], logLevel: logLevel)
    }

    /// A planning step at `gasPrice` that recorded `expired` tickets as expired.
    func planned(gasPrice: UInt256, expired: Int) {
        metrics.set(.redeemerGasPrice, to: gasPrice.doubleValue)
        metrics.increment(.redeemerTicketsExpired, by: Int64(expired))
    }

    /// A transaction's receipt recorded in the log: `redeemed` tickets paid, the chain's refusals expired.
    func recorded(_ receipt: ChainReceipt, transaction: Hash32, redeemed: Int) {
        let refused = receipt.redemptions.filter { $0.rejection != nil }.count
        metrics.increment(.redeemerTransactions, labels: receipt.accepted ? "confirmed" : "failed")
        metrics.increment(.redeemerTicketsRedeemed, by: Int64(redeemed))
        metrics.increment(.redeemerTicketsExpired, by: Int64(refused))
        metrics.increment(.redeemerGasUsed, by: Int64(clamping: receipt.gasUsed))
        let metadata: Logger.Metadata = ["tx": "\(transaction.hex)", "redeemed": "\(redeemed)", "refused": "\(refused)",
                                         "gas-used": "\(receipt.gasUsed)", "block": "\(receipt.block)"]
        if receipt.accepted {
            logger.info("redemption confirmed", metadata: metadata)
        } else {
            logger.warning("redemption failed", metadata: metadata.merging(
                ["reason": "\(receipt.rejection?.rawValue ?? "refused")"]) { _, new in new })
        }
    }
}
