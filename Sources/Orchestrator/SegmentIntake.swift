import Foundation
public import EthCrypto
public import Payments
import SwiftProtobuf
public import Wire

/// Why an orchestrator refused a segment request, with go-livepeer's HTTP status for each.
public enum SegmentRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case unparsablePayment(String)
    case unparsableSegment(String)
    case badSegmentSignature
    case badAuthToken
    case overCapacity
    case paymentFailed([TicketRejectionReason])
    case creditBelowTicketEV(credit: String, ev: String)
    case hashMismatch

    /// 402 unparsable payment; 403 segment signature, auth, capacity or body hash; 400 payment or credit.
    public var status: Int {
        switch self {
        case .unparsablePayment: 402
        case .unparsableSegment, .badSegmentSignature, .badAuthToken, .overCapacity, .hashMismatch: 403
        case .paymentFailed, .creditBelowTicketEV: 400
        }
    }

    /// A short, stable token for the refusal: `segment.refused`'s reason, the refused-segments metric's label.
    public var reason: String {
        switch self {
        case .unparsablePayment: "unparsable-payment"
        case .unparsableSegment: "unparsable-segment"
        case .badSegmentSignature: "bad-segment-signature"
        case .badAuthToken: "bad-auth-token"
        case .overCapacity: "over-capacity"
        case .paymentFailed: "payment-failed"
        case .creditBelowTicketEV: "credit-below-ev"
        case .hashMismatch: "hash-mismatch"
        }
    }

    public var description: String {
        switch self {
        case .unparsablePayment(let why): "unparsable payment: \(why)"
        case .unparsableSegment(let why): "unparsable segment data: \(why)"
        case .badSegmentSignature: "the segment signature is not the sender's"
        case .badAuthToken: "the auth token is not valid"
        case .overCapacity: "OrchestratorCapped"
        case .paymentFailed(let reasons): "payment failed: \(reasons.map(\.rawValue).joined(separator: ", "))"
        case .creditBelowTicketEV(let credit, let ev): "credit \(credit) wei is below one ticket's EV \(ev) wei"
        case .hashMismatch: "keccak256 of the body is not the segment's hash"
        }
    }
}

/// A segment the orchestrator accepted: who sent it, its data, and what receiving its payment recorded.
public struct AcceptedSegment: Sendable {
    public let sender: Address
    public let segment: Net_SegData
    public let payment: ReceiveOutcome
}

/// The orchestrator's checks on POST /segment, in go-livepeer's order: the payment header parses, the segment
/// header parses and is signed by the payment's sender, the auth token is ours and current, there is
/// capacity, the tickets pay and leave at least one ticket's EV of credit, and the body is what was signed.
public struct SegmentIntake: Sendable {
    public let recipient: TicketRecipient
    public let authSecret: [UInt8]

    public init(recipient: TicketRecipient, authSecret: [UInt8]) {
        self.recipient = recipient
        self.authSecret = authSecret
    }

    /// Checks one request. `hasCapacity` is asked after the cheap checks; `now` is seconds since the epoch.
    public func accept(segmentHeader: String, paymentHeader: String, body: [UInt8], context: ValidationContext, now: Int64,
                       hasCapacity: () -> Bool) -> (Result<AcceptedSegment, SegmentRefusal>, ReceiveOutcome?) {
        let payment: Payment
        do {
            guard let bytes = Data(base64Encoded: paymentHeader) else { throw WireError.unparsable("Livepeer-Payment") }
            payment = try Payment(wire: try Net_Payment(serializedBytes: bytes))
        } catch {
            return (.failure(.unparsablePayment("\(error)")), recipient.rejectUnreadable(detail: "Livepeer-Payment: \(error)"))
        }
        let segment: Net_SegData
        do {
            guard let bytes = Data(base64Encoded: segmentHeader) else { throw WireError.unparsable("Livepeer-Segment") }
            segment = try Net_SegData(serializedBytes: bytes)
        } catch {
            return (.failure(.unparsableSegment("\(error)")), nil)
        }
        guard let signature = try? Signature(bytes: segment.sig),
              signature.isValid(message: SegmentSigning.flatten(segment), signer: payment.sender) else {
            return (.failure(.badSegmentSignature), nil)
        }
        guard segment.hasAuthToken, AuthTokens.isValid(segment.authToken, secret: authSecret, now: now) else {
            return (.failure(.badAuthToken), nil)
        }
        guard hasCapacity() else { return (.failure(.overCapacity), nil) }
        let outcome = recipient.receive(payment, context: context)
        if !outcome.rejections.isEmpty && outcome.accepted == 0 && !payment.senderParams.isEmpty {
            return (.failure(.paymentFailed(outcome.rejections.map(\.reason))), outcome)
        }
        let ev = payment.ticketParams.expectedValue
        let credit = recipient.ledger.account(recipient: recipient.address, sender: payment.sender).available
        guard credit >= ev else {
            return (.failure(.creditBelowTicketEV(credit: credit.description, ev: ev.description)), outcome)
        }
        guard Keccak256.hash(body).bytes == Array(segment.hash) else { return (.failure(.hashMismatch), outcome) }
        return (.success(AcceptedSegment(sender: payment.sender, segment: segment, payment: outcome)), outcome)
    }
}
