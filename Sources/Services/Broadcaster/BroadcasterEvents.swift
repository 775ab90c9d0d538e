import EventModel

/// The broadcaster's events for one stream: a segment's ingest, each attempt, the checks, the delivery or
/// loss, and suspensions. Ids carry the broadcaster's run instance, the stream, the segment and the attempt.
struct BroadcasterEvents {
    let instance: String
    let stream: String
    let clock: any EventClock

    /// A typed event of this stream, its id from `suffix`.
    /// Negotiation events are keyed by orchestrator only (not by stream).
    private func envelope<Event: TypedEvent>(_ event: Event, _ suffix: String, orchestrator: String?) -> EventEnvelope {
        event.envelope(id: "\(instance)/\(stream)/\(suffix)",
                       keys: EventKeys(stream: Event.topic == .negotiation ? nil : stream, orchestrator: orchestrator),
                       timestamp: clock.nowMilliseconds())
    }

    func ingested(seq: Int64, durationMs: Int32, bytes: Int, dataHash: String) -> EventEnvelope {
        envelope(SegmentIngested(seq: seq, durationMs: Int64(durationMs), bytes: Int64(bytes), dataHash: dataHash), "\(seq)/ingested",
                 orchestrator: nil)
    }

    func dispatched(seq: Int64, orchestrator: String, attempt: Int, tickets: Int) -> EventEnvelope {
        envelope(SegmentDispatched(seq: seq, orchestrator: orchestrator, attempt: Int64(attempt), tickets: Int64(tickets)),
                 "\(seq)/\(attempt)/dispatched", orchestrator: orchestrator)
    }

    func transcoded(seq: Int64, orchestrator: String, attempt: Int, renditions: [SegmentRendition], sig: String,
                    elapsedMs: Int64) -> EventEnvelope {
        envelope(SegmentTranscoded(seq: seq, orchestrator: orchestrator, renditions: renditions, sig: sig, elapsedMs: elapsedMs),
                 "\(seq)/\(attempt)/transcoded", orchestrator: orchestrator)
    }

    func passed(seq: Int64, orchestrator: String, attempt: Int, checks: [String], pixels: Int64) -> EventEnvelope {
        envelope(VerificationPassed(seq: seq, orchestrator: orchestrator, checks: checks, pixels: pixels), "\(seq)/\(attempt)/passed",
                 orchestrator: orchestrator)
    }

    func failedCheck(seq: Int64, orchestrator: String, attempt: Int, evidence: VerificationEvidence) -> EventEnvelope {
        let written = FailedCheckEvidence(
            segmentHash: evidence.segmentHash, resultSig: evidence.resultSig, renditionHashes: evidence.renditionHashes,
            reportedPixels: evidence.reportedPixels, measuredPixels: evidence.measuredPixels, psnrMillidecibels: evidence.psnrMillidecibels,
            detail: evidence.detail)
        return envelope(VerificationFailed(seq: seq, orchestrator: orchestrator, check: evidence.check, evidence: written),
                        "\(seq)/\(attempt)/\(evidence.check)-failed", orchestrator: orchestrator)
    }

    func delivered(seq: Int64, orchestrator: String, latencyMs: Int64) -> EventEnvelope {
        envelope(SegmentDelivered(seq: seq, orchestrator: orchestrator, latencyMs: latencyMs), "\(seq)/delivered", orchestrator: nil)
    }

    func failed(seq: Int64, orchestrator: String?, attempt: Int, failure: AttemptFailure, final: Bool) -> EventEnvelope {
        envelope(SegmentFailed(seq: seq, orchestrator: orchestrator, attempt: Int64(attempt), reason: failure.kind.rawValue,
                               detail: failure.detail, final: final), "\(seq)/\(attempt)/failed", orchestrator: nil)
    }

    func suspended(seq: Int64, orchestrator: String, attempt: Int, failure: AttemptFailure, penalty: Int) -> EventEnvelope {
        let reason = failure.kind == .paymentRefused ? AttemptFailure.Kind.errorReply : failure.kind
        return envelope(OrchestratorSuspended(orchestrator: orchestrator, reason: reason.rawValue, penaltySegments: Int64(penalty),
                                              detail: failure.detail), "\(seq)/\(attempt)/suspended", orchestrator: orchestrator)
    }
}
