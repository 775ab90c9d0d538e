import EthCrypto
public import EventLog
import EventModel
import Foundation
import JSONCore

/// `streamflow replay show --stream ID`: one stream's events as lines a person reads.
public enum StreamTimeline {
    public static func lines(_ log: EventLog, stream: String) throws -> [String] {
        var lines: [String] = []
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        try log.scanCheckingIndex(key: (.stream, stream)) { stored in
            let record = try stored.record()
            let time = formatter.string(from: Date(timeIntervalSince1970: Double(record.envelope.timestamp) / 1000))
            let type = record.envelope.type.padding(toLength: 22, withPad: " ", startingAt: 0)
            lines.append("#\(record.sequence)".padding(toLength: 8, withPad: " ", startingAt: 0)
                + " \(time)  \(type) \(summary(record))")
            return true
        }
        return lines
    }

    static func summary(_ record: EventRecord) -> String {
        let payload = record.envelope.payload
        let segment = payload["seq"]?.integerValue.map { "segment \($0)" } ?? ""
        let orchestrator = (payload["orchestrator"]?.stringValue).map { short($0) } ?? ""
        switch record.envelope.type {
        case SegmentIngested.type:
            guard let event = try? SegmentIngested(envelope: record.envelope) else { break }
            return "\(segment), \(event.durationMs) ms, \(event.bytes) bytes"
        case SegmentDispatched.type:
            guard let event = try? SegmentDispatched(envelope: record.envelope) else { break }
            return "\(segment) → \(orchestrator) (attempt \(event.attempt))"
        case "segment.transcoded":
            let renditions = payload["renditions"]?.arrayValue ?? []
            let profiles = renditions.compactMap { $0["profile"]?.stringValue }.joined(separator: ", ")
            return "\(segment) by \(orchestrator): \(profiles)"
        case SegmentDelivered.type:
            guard let event = try? SegmentDelivered(envelope: record.envelope) else { break }
            return "\(segment) from \(orchestrator) in \(event.latencyMs) ms"
        case SegmentFailed.type:
            guard let event = try? SegmentFailed(envelope: record.envelope) else { break }
            return "\(segment) at \(orchestrator.isEmpty ? "-" : orchestrator): \(event.reason)\(event.final ? ", final" : "")"
        case "verification.passed":
            let checks = (payload["checks"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "+")
            return "\(segment) from \(orchestrator): \(checks) ok"
        case "verification.failed":
            return "\(segment) from \(orchestrator): \(payload["check"]?.stringValue ?? "") FAILED"
        case "session.opened":
            return "session \(record.envelope.keys.session ?? "") with \(orchestrator)"
        case "session.closed":
            return "session \(record.envelope.keys.session ?? ""): \(payload["reason"]?.stringValue ?? "")"
        case "offer.requested":
            return "ask \(payload["orchestratorURI"]?.stringValue ?? "")"
        case "ticket.issued", "ticket.received":
            let ticket = payload["ticket"]
            let recipient = (ticket?["recipient"]?.stringValue).map { short($0) } ?? ""
            let verb = record.envelope.type == "ticket.issued" ? "paid to" : "accepted by"
            return "nonce \(ticket?["senderNonce"]?.integerValue ?? 0) \(verb) \(recipient), EV \(payload["ev"]?.stringValue ?? "?") wei"
        case "payment.received":
            let recipient = (payload["terms"]?["recipient"]?.stringValue).map { short($0) } ?? ""
            let count = payload["tickets"]?.arrayValue?.count ?? 0
            return "\(count) tickets accepted by \(recipient), \(payload["credited"]?.stringValue ?? "?") wei credited"
        case "fee.debited":
            return "segment \(payload["segmentSeq"]?.integerValue ?? 0) charged \(payload["fee"]?.stringValue ?? "?") wei"
        case "orchestrator.suspended":
            return "\(orchestrator) suspended: \(payload["reason"]?.stringValue ?? "") for \(payload["penaltySegments"]?.integerValue ?? 0) segments"
        case "offer.received":
            return "\(orchestrator) offers \(payload["pricePerUnit"]?.integerValue ?? 0) wei / \(payload["pixelsPerUnit"]?.integerValue ?? 1) px"
        default:
            break
        }
        // Another event, or one whose payload this version cannot read: the segment and the orchestrator.
        return orchestrator.isEmpty ? segment : "\(segment) \(orchestrator)"
    }

    private static func short(_ address: String) -> String {
        address.count > 12 ? String(address.prefix(8)) + "…" + String(address.suffix(4)) : address
    }
}
