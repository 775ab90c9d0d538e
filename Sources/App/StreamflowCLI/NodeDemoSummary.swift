import Benchmarks
import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
import Payments
import Settlement

/// The demo's closing numbers, read back from the log and the chain (not from the loop's own counters, so
/// they are what an auditor replaying the log would find).
struct NodeDemoSummary {
    var lines: [String] = []

    init(log: EventLog, settled: DemoSettlementTotals, wallSeconds: Double, mediaSeconds: Double, segments: Int, lost: Int, switches: Int,
         latencies: [Int64]) throws {
        var counts: [String: Int] = [:]
        var ticketsSent = 0
        var fees = UInt256.zero
        var verificationFailures: [String: Int] = [:]
        try log.scan { stored in
            let envelope = try stored.record().envelope
            counts[envelope.type, default: 0] += 1
            switch envelope.type {
            case SegmentDispatched.type: ticketsSent += Int((try? SegmentDispatched(envelope: envelope))?.tickets ?? 0)
            case FeeDebited.type: fees = (try? fees + ((try? FeeDebited(envelope: envelope))?.fee ?? .zero)) ?? fees
            case VerificationFailed.type: verificationFailures[(try? VerificationFailed(envelope: envelope))?.check ?? "?", default: 0] += 1
            default: break
            }
            return true
        }
        let (gasCost, redeemedValue, transactions) = (settled.gasCost, settled.redeemedValue, settled.transactions)
        let sorted = latencies.sorted()
        let share = redeemedValue.isZero ? 0 : gasCost.doubleValue / redeemedValue.doubleValue * 100
        lines = [
            "",
            "Summary",
            "   segments delivered      \(segments - lost)/\(segments)  (\(lost) lost)",
            String(format: "   realtime ratio          %.2f  (%.1f s of work for %.1f s of media; below 1 is faster than real time)",
                   wallSeconds / max(mediaSeconds, 0.001), wallSeconds, mediaSeconds),
            "   segment latency         p50 \(percentile(sorted, 0.5)) ms, p99 \(percentile(sorted, 0.99)) ms",
            "   switches                \(switches) segments needed another orchestrator",
            "   verification failures   \(verificationFailures.values.reduce(0, +)) caught "
                + "(\(verificationFailures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))",
            "   orchestrators suspended \(counts[OrchestratorSuspended.type, default: 0]) times",
            "   transcoder tasks        \(counts[TaskCompleted.type, default: 0]) completed, \(counts[TaskFailed.type, default: 0]) failed",
            "   tickets                 \(ticketsSent) sent, \(counts[TicketWon.type, default: 0]) won, \(counts[TicketRedeemed.type, default: 0]) redeemed "
                + "in \(transactions) transactions"
                + (counts[RedemptionReverted.type, default: 0] > 0 ? " (and \(counts[RedemptionReverted.type, default: 0]) reverted, its gas spent)" : ""),
            "   fees                    \(fees) wei charged; \(redeemedValue) wei redeemed on chain",
            String(format: "   gas share               %.3f%% of redeemed value", share),
            "   events in the log       \(counts.values.reduce(0, +)) (head \(log.head.sequence))",
        ]
    }
}
