public import Logging
import Logging
import Payments
public import Telemetry
import EthCrypto

/// What a broadcaster reports: segments sent, delivered, failed over and lost, round-trip time, tickets sent and the
/// params each orchestrator offered (metrics in `StreamflowMetrics`), and a log line for each failover and loss.
public struct BroadcasterTelemetry: Reporting {
    public let reporter: Reporter

    /// Reports into `metrics` (the process's registry unless a test gives its own); counters start at zero.
    public init(metrics: MetricsRegistry = .process, logLevel: Logger.Level? = nil) {
        reporter = Reporter(component: "broadcaster", metrics: metrics, counters: [.broadcasterSegmentsSent, .broadcasterSegmentsDelivered, .broadcasterSegmentsLost, .broadcasterTicketsSent], logLevel: logLevel)
    }

    func sending(seq: Int64) { metrics.increment(.broadcasterSegmentsSent) }

    func delivered(seq: Int64, by url: String, since start: ContinuousClock.Instant) {
        metrics.increment(.broadcasterSegmentsDelivered)
        metrics.observe(.broadcasterRoundTripSeconds, ContinuousClock.now - start)
    }

    /// A failed attempt: the orchestrator is suspended until segment `suspendedUntil` and the segment fails over.
    func failed(seq: Int64, at url: String, reason: String, suspendedUntil: Int?) {
        metrics.increment(.broadcasterSegmentsFailed, labels: url)
        logRepeated(.warning, "segment attempt failed; orchestrator suspended", kind: "attempt-failed.\(url)", metadata: [
            "seq": "\(seq)", "orchestrator": "\(url)", "reason": "\(reason.prefix(200))",
            "suspended-until-seq": "\(suspendedUntil.map(String.init) ?? "-")",
        ])
    }

    func lost(seq: Int64, attempts: Int) {
        metrics.increment(.broadcasterSegmentsLost)
        logRepeated(.error, "segment lost", kind: "segment-lost", metadata: ["seq": "\(seq)", "attempts": "\(attempts)"])
    }

    /// A payment built for `url`'s params: tickets sent, and the face value and win probability it offered.
    func paid(_ payment: SenderPayment, to url: String) {
        let params = payment.payment.ticketParams
        metrics.increment(.broadcasterTicketsSent, by: Int64(payment.payment.senderParams.count))
        metrics.set(.broadcasterFaceValue, to: params.faceValue.doubleValue, labels: url)
        metrics.set(.broadcasterWinProbability, to: params.winProb.doubleValue / UInt256.max.doubleValue, labels: url)
    }
}
