import Dispatch
import EventLog
import EventModel
import Logging
import Orchestrator
import Payments
import ServiceLifecycle

/// Distributed mode: keeps the live recipient ledger equal to the log's. A node killed while publishing leaves events
/// in transit that the broker may append after the next run's start-up catch-up; the log sink then brings them into
/// the log. This follows the log's tail from where the ledger was hydrated and folds every payment event this instance
/// did not write into the live ledger, with the projection's own fold (a nonce used twice credits once), in log order.
/// At graceful shutdown (after the log sink has drained) it takes what is left, then ends.
struct LatePaymentsService: Service {
    let log: EventLog
    let orchestrator: OrchestratorNode
    /// The log position the live ledger was hydrated at.
    let hydratedThrough: UInt64
    let logger: Logger

    private static let reads = DispatchQueue(label: "streamflow.late-payments")

    func run() async throws {
        var position = hydratedThrough
        while true {
            let stopping = Task.isShuttingDownGracefully || Task.isCancelled
            if log.head.sequence > position { position = try await absorb(after: position) }
            if stopping { return }
            let (log, observed) = (log, position)
            await cancelWhenGracefulShutdownQuietly { await log.waitForHead(after: observed) }
        }
    }

    /// Folds the payment events after `position` that another writer wrote; returns the last position read.
    private func absorb(after position: UInt64) async throws -> UInt64 {
        let (log, orchestrator) = (log, orchestrator)
        let (late, last) = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<([PaymentEvent], UInt64), any Error>) in
            Self.reads.async {
                continuation.resume(with: Result {
                    // Everything up to the head as of now is in the scan's snapshot (it may see more).
                    var late: [PaymentEvent] = [], last = max(position, log.head.sequence)
                    try log.scan(from: position + 1, topic: .tickets) { stored in
                        let record = try stored.record()
                        last = max(last, stored.sequence)
                        if !orchestrator.wrote(eventID: record.envelope.id), let event = PaymentEvent(envelope: record.envelope) {
                            late.append(event)
                        }
                        return true
                    }
                    return (late, last)
                })
            }
        }
        var intake = 0
        for event in late {
            orchestrator.intake.recipient.absorb(event)
            // Settlement outcomes come back here too (the live ledger took them already; removing a winner twice is a no-op).
            switch event {
            case .ticketRedeemed, .ticketExpired: break
            default: intake += 1
            }
        }
        if intake > 0 {
            logger.notice("an earlier run's payment events reached the log late; folded into the live ledger",
                          metadata: ["events": "\(intake)", "through": "\(last)"])
        }
        return last
    }
}
