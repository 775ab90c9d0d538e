import EthCrypto
import EventModel
public import Logging
import Payments
public import Telemetry

/// What an orchestrator reports about its work: the metrics in `StreamflowMetrics` (segments, transcode time,
/// tickets, offered params) into `metrics`, and a log line for each refused or failed segment.
public struct OrchestratorTelemetry: Reporting {
    public let reporter: Reporter

    /// Reports into `metrics` (the process's registry unless a test gives its own); counters start at zero.
    public init(metrics: MetricsRegistry = .process, logLevel: Logger.Level? = nil) {
        reporter = Reporter(component: "orchestrator", metrics: metrics, counters: [
            .orchestratorSegmentsReceived, .orchestratorSegmentsTranscoded,
            .orchestratorSegmentsFailed, .orchestratorTicketsReceived, .orchestratorTicketsWon,
        ], logLevel: logLevel)
    }

    /// One POST /segment through intake: received, refused (with its reason), and its tickets received, won, rejected.
    func intake(_ result: Result<AcceptedSegment, SegmentRefusal>, _ outcome: ReceiveOutcome?) {
        metrics.increment(.orchestratorSegmentsReceived)
        if let outcome {
            metrics.increment(.orchestratorTicketsReceived, by: Int64(outcome.accepted))
            metrics.increment(.orchestratorTicketsWon, by: Int64(outcome.winners.count))
            for rejection in outcome.rejections {
                metrics.increment(.orchestratorTicketsRejected, labels: rejection.reason.rawValue)
            }
        }
        if case .failure(let refusal) = result {
            metrics.increment(.orchestratorSegmentsRefused, labels: refusal.reason)
            logRepeated(.notice, "segment refused", kind: "refused.\(refusal.reason)",
                        metadata: ["reason": "\(refusal.reason)", "status": "\(refusal.status)",
                                   "detail": "\(refusal.description.prefix(200))"])
        }
    }

    /// A transcode that ended: counted as transcoded (with its time) or failed (logged with the error).
    func transcoded<Success, Failure: Error>(_ result: Result<Success, Failure>, seq: Int64, since start: ContinuousClock.Instant) {
        switch result {
        case .success:
            metrics.increment(.orchestratorSegmentsTranscoded)
            metrics.observe(.orchestratorTranscodeSeconds, ContinuousClock.now - start)
        case .failure(let error):
            metrics.increment(.orchestratorSegmentsFailed)
            logRepeated(.error, "transcode failed", kind: "transcode-failed", metadata: ["seq": "\(seq)", "error": "\(error)"])
        }
    }

    /// A request's events that could not be made durable: the request is refused (503) and the node is unhealthy.
    func notDurable(_ error: EventSinkError, seq: Int64?) {
        metrics.increment(.eventsNotDurable, labels: "persist")
        logRepeated(.critical, "events not durable; segment refused", kind: "events-not-durable",
                    metadata: ["seq": "\(seq.map(String.init) ?? "-")", "error": "\(error)"])
    }

    /// Bookkeeping events the sink could not store (counted by the sink; reported here as they are noticed).
    func emitFailed(_ count: Int) {
        metrics.increment(.eventsNotDurable, by: Int64(count), labels: "emit")
    }

    /// The ticket params just offered to a broadcaster: face value (wei) and win probability.
    func offered(_ params: TicketParams) {
        metrics.set(.orchestratorFaceValue, to: params.faceValue.doubleValue)
        metrics.set(.orchestratorWinProbability, to: params.winProb.doubleValue / UInt256.max.doubleValue)
    }
}
