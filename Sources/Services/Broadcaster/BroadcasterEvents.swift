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

    func ingested(seq: Int64, durationMs: Int32, bytes: Int, dataHash: String) -> EventEnvelope {
        envelope("segment.ingested", .segments, "\(seq)/ingested", orchestrator: nil,
                 ["seq": .integer(seq), "durationMs": .integer(Int64(durationMs)), "bytes": .integer(Int64(bytes)),
                  "dataHash": .string(dataHash)])
    }

    func dispatched(seq: Int64, orchestrator: String, attempt: Int, tickets: Int) -> EventEnvelope {
        envelope("segment.dispatched", .segments, "\(seq)/\(attempt)/dispatched", orchestrator: orchestrator,
                 ["seq": .integer(seq), "orchestrator": .string(orchestrator), "attempt": .integer(Int64(attempt)),
                  "tickets": .integer(Int64(tickets))])
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
        envelope("segment.delivered", .segments, "\(seq)/delivered", orchestrator: nil,
                 ["seq": .integer(seq), "orchestrator": .string(orchestrator), "latencyMs": .integer(latencyMs)])
    }

    func failed(seq: Int64, orchestrator: String?, attempt: Int, failure: AttemptFailure, final: Bool) -> EventEnvelope {
        var payload: [String: JSONValue] = ["seq": .integer(seq), "attempt": .integer(Int64(attempt)),
                                            "reason": .string(failure.kind.rawValue),
                                            "detail": .string(String(failure.detail.prefix(1_000))), "final": .bool(final)]
        if let orchestrator { payload["orchestrator"] = .string(orchestrator) }
        return envelope("segment.failed", .segments, "\(seq)/\(attempt)/failed", orchestrator: nil, payload)
    }

    func suspended(seq: Int64, orchestrator: String, attempt: Int, failure: AttemptFailure, penalty: Int) -> EventEnvelope {
        let reason = failure.kind == .paymentRefused ? AttemptFailure.Kind.errorReply : failure.kind
        return envelope("orchestrator.suspended", .negotiation, "\(seq)/\(attempt)/suspended", orchestrator: orchestrator,
                        ["orchestrator": .string(orchestrator), "reason": .string(reason.rawValue),
                         "penaltySegments": .integer(Int64(penalty)), "detail": .string(String(failure.detail.prefix(1_000)))])
    }
}
