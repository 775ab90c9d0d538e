import EthCrypto
public import EventLog
import EventModel
import Foundation
import JSONCore
import Payments

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
        case SegmentTranscoded.type:
            guard let event = try? SegmentTranscoded(envelope: record.envelope) else { break }
            return "\(segment) by \(orchestrator): \(event.renditions.map(\.profile).joined(separator: ", "))"
        case SegmentDelivered.type:
            guard let event = try? SegmentDelivered(envelope: record.envelope) else { break }
            return "\(segment) from \(orchestrator) in \(event.latencyMs) ms"
        case SegmentFailed.type:
            guard let event = try? SegmentFailed(envelope: record.envelope) else { break }
            return "\(segment) at \(orchestrator.isEmpty ? "-" : orchestrator): \(event.reason)\(event.final ? ", final" : "")"
        case VerificationPassed.type:
            guard let event = try? VerificationPassed(envelope: record.envelope) else { break }
            return "\(segment) from \(orchestrator): \(event.checks.joined(separator: "+")) ok"
        case VerificationFailed.type:
            guard let event = try? VerificationFailed(envelope: record.envelope) else { break }
            return "\(segment) from \(orchestrator): \(event.check) FAILED"
        case SessionOpened.type:
            return "session \(record.envelope.keys.session ?? "") with \(orchestrator)"
        case SessionClosed.type:
            guard let event = try? SessionClosed(envelope: record.envelope) else { break }
            return "session \(record.envelope.keys.session ?? ""): \(event.reason)"
        case OfferRequested.type:
            guard let event = try? OfferRequested(envelope: record.envelope) else { break }
            return "ask \(event.orchestratorURI)"
        case TicketIssued.type:
            guard let event = try? TicketIssued(envelope: record.envelope) else { break }
            return "nonce \(event.ticket.ticket.senderNonce) paid to \(short(event.ticket.ticket.recipient.checksummed)), EV \(event.ev) wei"
        case TicketReceived.type:
            guard let event = try? TicketReceived(envelope: record.envelope) else { break }
            return "nonce \(event.ticket.ticket.senderNonce) accepted by \(short(event.ticket.ticket.recipient.checksummed)), EV \(event.ev) wei"
        case PaymentReceived.type:
            guard let event = try? PaymentReceived(envelope: record.envelope) else { break }
            let payment = event.payment
            return "\(payment.tickets.count) tickets accepted by \(short(payment.terms.recipient.checksummed)), \(event.credited) wei credited"
        case FeeDebited.type:
            guard let event = try? FeeDebited(envelope: record.envelope) else { break }
            return "segment \(event.segmentSeq) charged \(event.fee) wei"
        case OrchestratorSuspended.type:
            guard let event = try? OrchestratorSuspended(envelope: record.envelope) else { break }
            return "\(orchestrator) suspended: \(event.reason) for \(event.penaltySegments) segments"
        case OfferReceived.type:
            guard let event = try? OfferReceived(envelope: record.envelope) else { break }
            return "\(orchestrator) offers \(event.pricePerUnit) wei / \(event.pixelsPerUnit) px"
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
