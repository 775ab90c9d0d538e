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
    case incompatibleCapabilities
    case badAuthToken
    case overCapacity
    case paymentFailed([TicketRejectionReason])
    case creditBelowTicketEV(credit: String, ev: String)
    case hashMismatch
    case resubmittedWithOtherContent(seq: Int64)
    case resubmissionInFlight(seq: Int64)

    /// 402 unparsable payment; 403 segment signature, capabilities, auth, capacity or body hash; 400 payment or credit;
    /// 409 a (manifest, seq) resubmitted with other content or while its first submission is in flight.
    public var status: Int {
        switch self {
        case .unparsablePayment: 402
        case .unparsableSegment, .badSegmentSignature, .incompatibleCapabilities, .badAuthToken, .overCapacity, .hashMismatch: 403
        case .paymentFailed, .creditBelowTicketEV: 400
        case .resubmittedWithOtherContent, .resubmissionInFlight: 409
        }
    }

    /// A short, stable token for the refusal: `segment.refused`'s reason, the refused-segments metric's label.
    public var reason: String {
        switch self {
        case .unparsablePayment: "unparsable-payment"
        case .unparsableSegment: "unparsable-segment"
        case .badSegmentSignature: "bad-segment-signature"
        case .incompatibleCapabilities: "incompatible-capabilities"
        case .badAuthToken: "bad-auth-token"
        case .overCapacity: "over-capacity"
        case .paymentFailed: "payment-failed"
        case .creditBelowTicketEV: "credit-below-ev"
        case .hashMismatch: "hash-mismatch"
        case .resubmittedWithOtherContent: "resubmitted-other-content"
        case .resubmissionInFlight: "resubmission-in-flight"
        }
    }

    public var description: String {
        switch self {
        case .unparsablePayment(let why): "unparsable payment: \(why)"
        case .unparsableSegment(let why): "unparsable segment data: \(why)"
        case .badSegmentSignature: "the segment signature is not the sender's"
        case .incompatibleCapabilities: "incompatible capabilities"
        case .badAuthToken: "the auth token is not valid"
        case .overCapacity: "OrchestratorCapped"
        case .paymentFailed(let reasons): "payment failed: \(reasons.map(\.rawValue).joined(separator: ", "))"
        case .creditBelowTicketEV(let credit, let ev): "credit \(credit) wei is below one ticket's EV \(ev) wei"
        case .hashMismatch: "keccak256 of the body is not the segment's hash"
        case .resubmittedWithOtherContent(let seq): "segment \(seq) of this stream was already transcoded from other content"
        case .resubmissionInFlight(let seq): "segment \(seq) of this stream is being transcoded now"
        }
    }
}

/// A segment the orchestrator accepted: who sent it (nil off-chain), its data, and what its payment recorded.
public struct AcceptedSegment: Sendable {
    public let sender: Address?
    public let segment: Net_SegData
    public let payment: ReceiveOutcome?
}

/// A segment request's headers, parsed and checked (`SegmentIntake.checkHeaders`).
public struct SegmentHeaders: Sendable {
    let wire: Net_Payment
    let payment: Payment?
    let segment: Net_SegData
    let sender: Address?
}

/// The orchestrator's checks on POST /segment, in go-livepeer's order (server/segment_rpc.go): the payment header
/// parses (402); the segment header parses, is signed by the payment's sender, asks only for capabilities this
/// node offers, carries our current auth token and there is capacity (403); the tickets pay and leave at least
/// one ticket's EV of credit (400); the body is what was signed (403). Off-chain (go-livepeer's `-network
/// offchain`) the payment is empty and neither signatures nor tickets are checked.
public struct SegmentIntake: Sendable {
    public let recipient: TicketRecipient
    public let authSecret: [UInt8]
    /// What this node advertises in OrchestratorInfo; segments asking for more are refused.
    public let capabilities: Net_Capabilities
    /// No payments: go-livepeer's off-chain mode (explicit, never the default).
    public let offchain: Bool

    public init(recipient: TicketRecipient, authSecret: [UInt8], capabilities: Net_Capabilities, offchain: Bool = false) {
        self.recipient = recipient
        self.authSecret = authSecret
        self.capabilities = capabilities
        self.offchain = offchain
    }

    /// Checks one request. `hasCapacity` is asked after the cheap checks; `now` is seconds since the epoch.
    public func accept(segmentHeader: String, paymentHeader: String, body: [UInt8], context: ValidationContext, now: Int64,
                       hasCapacity: () -> Bool) -> (Result<AcceptedSegment, SegmentRefusal>, ReceiveOutcome?) {
        let headers: SegmentHeaders
        switch checkHeaders(segmentHeader: segmentHeader, paymentHeader: paymentHeader, now: now) {
        case .success(let checked): headers = checked
        case .failure(let refusal):
            guard case .unparsablePayment(let why) = refusal else { return (.failure(refusal), nil) }
            return (.failure(refusal), recipient.rejectUnreadable(detail: "Livepeer-Payment: \(why)"))
        }
        let (wire, payment, segment, sender) = (headers.wire, headers.payment, headers.segment, headers.sender)
        guard hasCapacity() else { return (.failure(.overCapacity), nil) }
        guard !offchain, let sender else { return checkBody(body, of: segment, sender: nil, outcome: nil) }
        var outcome: ReceiveOutcome?
        if let payment {
            let received = recipient.receive(payment, context: context)
            outcome = received
            if !received.rejections.isEmpty && received.accepted == 0 && !payment.senderParams.isEmpty {
                return (.failure(.paymentFailed(received.rejections.map(\.reason))), received)
            }
        }
        let ev = payment?.ticketParams.expectedValue ?? recipient.validator.policy.expectedValue
        let credit = recipient.ledger.account(recipient: recipient.address, sender: sender).available
        if wire.expectedPrice.pricePerUnit > 0 || payment != nil, credit < ev {
            return (.failure(.creditBelowTicketEV(credit: credit.description, ev: ev.description)), outcome)
        }
        return checkBody(body, of: segment, sender: sender, outcome: outcome)
    }

    /// The checks that need only the headers, in go-livepeer's order: the payment parses (402); the segment parses,
    /// is signed by the payment's sender, asks only for capabilities offered and carries a valid auth token (403).
    /// Nothing is recorded or charged, so the edge runs them before reading a body.
    public func checkHeaders(segmentHeader: String, paymentHeader: String, now: Int64) -> Result<SegmentHeaders, SegmentRefusal> {
        let wire: Net_Payment
        var payment: Payment?
        do {
            guard let bytes = Data(base64Encoded: paymentHeader) else { throw WireError.notBase64("Livepeer-Payment") }
            wire = try Net_Payment(serializedBytes: bytes)
            // go-livepeer's broadcaster sends no ticket params when its credit covers the segment.
            if !offchain && wire.hasTicketParams { payment = try Payment(wire: wire) }
        } catch {
            return .failure(.unparsablePayment("\(error)"))
        }
        let segment: Net_SegData
        do {
            guard let bytes = Data(base64Encoded: segmentHeader) else { throw WireError.notBase64("Livepeer-Segment") }
            segment = try Net_SegData(serializedBytes: bytes)
            guard SegmentSigning.profiles(of: segment).allSatisfy({ !$0.name.isEmpty }) else {
                throw WireError.missing("a profile's name")
            }
        } catch {
            return .failure(.unparsableSegment("\(error)"))
        }
        let sender = try? WireBytes.address(wire.sender, field: "sender")
        if !offchain {
            guard let sender, SegmentSigning.isSigned(segment, by: sender) else { return .failure(.badSegmentSignature) }
        }
        guard LivepeerCapabilities.isCompatible(job: segment.capabilities, orchestrator: capabilities) else {
            return .failure(.incompatibleCapabilities)
        }
        guard segment.hasAuthToken, AuthTokens.isValid(segment.authToken, secret: authSecret, now: now) else {
            return .failure(.badAuthToken)
        }
        return .success(SegmentHeaders(wire: wire, payment: payment, segment: segment, sender: sender))
    }

    private func checkBody(_ body: [UInt8], of segment: Net_SegData, sender: Address?,
                           outcome: ReceiveOutcome?) -> (Result<AcceptedSegment, SegmentRefusal>, ReceiveOutcome?) {
        guard Keccak256.hash(body).bytes == Array(segment.hash) else { return (.failure(.hashMismatch), outcome) }
        return (.success(AcceptedSegment(sender: sender, segment: segment, payment: outcome)), outcome)
    }
}
