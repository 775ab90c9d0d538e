public import EventModel
import JSONCore

/// The broadcaster's events for one stream: a segment's ingest, each attempt, the checks, the delivery or
/// loss, and suspensions. Ids carry the broadcaster's run instance, the stream, the segment and the attempt.
struct BroadcasterEvents {
    let instance: String
    let stream: String
    let clock: any EventClock

    private func envelope(_ type: String, _ topic: Topic, _ suffix: String, orchestrator: String?,
                          _ payload: [String: JSONValue]) -> EventEnvelope {
        EventEnvelope(id: "\(instance)/\(stream)/\(suffix)", type: type, version: 1, topic: topic,
                      keys: EventKeys(stream: topic == .negotiation ? nil : stream, orchestrator: orchestrator),
                      timestamp: clock.nowMilliseconds(), payload: .object(payload))
    }

    /// A typed event of this stream, its id from `suffix`.
    private func envelope<Event: TypedEvent>(_ event: Event, _ suffix: String, orchestrator: String?) -> EventEnvelope {
        event.envelope(id: "\(instance)/\(stream)/\(suffix)", keys: EventKeys(stream: stream, orchestrator: orchestrator),
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

    /// One rendition as `segment.transcoded` lists it.
    struct Rendition {
        let profile: String
        let width: Int
        let height: Int
        let pixels: Int64
        let dataHash: String
        let url: String
    }

    func transcoded(seq: Int64, orchestrator: String, attempt: Int, renditions: [Rendition], sig: String,
                    elapsedMs: Int64) -> EventEnvelope {
        envelope("segment.transcoded", .transcodeResults, "\(seq)/\(attempt)/transcoded", orchestrator: orchestrator,
                 ["seq": .integer(seq), "orchestrator": .string(orchestrator), "sig": .string(sig), "elapsedMs": .integer(elapsedMs),
                  "renditions": .array(renditions.map {
                      ["profile": .string($0.profile), "width": .integer(Int64($0.width)), "height": .integer(Int64($0.height)),
                       "pixels": .integer($0.pixels), "dataHash": .string($0.dataHash), "url": .string($0.url)]
                  })])
    }

    func passed(seq: Int64, orchestrator: String, attempt: Int, checks: [String], pixels: Int64) -> EventEnvelope {
        envelope("verification.passed", .verification, "\(seq)/\(attempt)/passed", orchestrator: orchestrator,
                 ["seq": .integer(seq), "orchestrator": .string(orchestrator), "checks": .array(checks.map { .string($0) }),
                  "pixels": .integer(pixels)])
    }

    func failedCheck(seq: Int64, orchestrator: String, attempt: Int, evidence: VerificationEvidence) -> EventEnvelope {
        var fields: [String: JSONValue] = ["segmentHash": .string(evidence.segmentHash),
                                           "renditionHashes": .array(evidence.renditionHashes.map { .string($0) }),
                                           "detail": .string(String(evidence.detail.prefix(1_000)))]
        if let sig = evidence.resultSig { fields["resultSig"] = .string(sig) }
        if let reported = evidence.reportedPixels { fields["reportedPixels"] = .integer(reported) }
        if let measured = evidence.measuredPixels { fields["measuredPixels"] = .integer(measured) }
        if let psnr = evidence.psnrMillidecibels { fields["psnrMillidecibels"] = .integer(psnr) }
        return envelope("verification.failed", .verification, "\(seq)/\(attempt)/\(evidence.check)-failed", orchestrator: orchestrator,
                        ["seq": .integer(seq), "orchestrator": .string(orchestrator), "check": .string(evidence.check),
                         "evidence": .object(fields)])
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
        return envelope("orchestrator.suspended", .negotiation, "\(seq)/\(attempt)/suspended", orchestrator: orchestrator,
                        ["orchestrator": .string(orchestrator), "reason": .string(reason.rawValue),
                         "penaltySegments": .integer(Int64(penalty)), "detail": .string(String(failure.detail.prefix(1_000)))])
    }
}
