import EthCrypto
import EventModel
import JSONCore
import Payments

/// The signatures an event carries, checked against who should have signed: a ticket's sig must
/// recover to its sender; a transcode result's sig over keccak256(h₁ ‖ … ‖ hₙ) of its renditions'
/// hashes must recover to the orchestrator. Returns how many signatures it checked.
enum SignatureChecks {
    static func check(_ envelope: EventEnvelope) throws(AuditFailure) -> Int {
        let payload = envelope.payload
        if let ticketJSON = payload["ticket"] {
            let ticket: Ticket
            do { ticket = try Ticket(json: ticketJSON) } catch { throw AuditFailure(reason: error.description) }
            if let claimed = payload["ticketHash"]?.stringValue, claimed != ticket.hash.hex {
                throw AuditFailure(reason: "ticketHash \(claimed) is not the ticket's hash \(ticket.hash.hex)")
            }
            try checkSigner(ticket, try parseSignature(ticketJSON["sig"]?.stringValue, what: "ticket sig"), label: "ticket")
            return 1
        }
        if PaymentReceived.matches(envelope) {
            guard case .paymentReceived(let received)? = PaymentEvent(envelope: envelope) else {
                throw AuditFailure(reason: "payment.received does not read back as a payment")
            }
            for signed in received.signedTickets {
                let label = "ticket \(signed.ticket.senderNonce)"
                let signature: Signature
                do { signature = try Signature(bytes: signed.sig) } catch { throw AuditFailure(reason: "\(label) sig: \(error)") }
                try checkSigner(signed.ticket, signature, label: label)
            }
            return received.tickets.count
        }
        if SegmentTranscoded.matches(envelope) {
            let event: SegmentTranscoded
            do { event = try SegmentTranscoded(envelope: envelope) } catch { throw AuditFailure(reason: error.description) }
            guard let orchestrator = try? Address(event.orchestrator) else {
                throw AuditFailure(reason: "segment.transcoded's orchestrator \(event.orchestrator) is not an address")
            }
            var concatenated: [UInt8] = []
            for rendition in event.renditions {
                guard let hash = try? Hash32(hex: rendition.dataHash) else {
                    throw AuditFailure(reason: "a rendition's dataHash is not 32-byte hex")
                }
                concatenated += hash.bytes
            }
            let signature = try parseSignature(event.sig, what: "result sig")
            let message = Keccak256.hash(concatenated).bytes
            let signer: Address
            do { signer = try signature.recoverSigner(message: message) } catch {
                throw AuditFailure(reason: "result sig: \(error)")
            }
            guard signer == orchestrator else {
                throw AuditFailure(reason: "result sig recovers to \(signer), not the orchestrator \(orchestrator)")
            }
            return 1
        }
        return 0
    }

    /// The ticket's signature recovers to its sender, or the failure names `label`.
    private static func checkSigner(_ ticket: Ticket, _ signature: Signature, label: String) throws(AuditFailure) {
        let signer: Address
        do { signer = try ticket.signer(of: signature) } catch { throw AuditFailure(reason: "\(label) sig: \(error)") }
        guard signer == ticket.sender else {
            throw AuditFailure(reason: "\(label) sig recovers to \(signer), not the sender \(ticket.sender)")
        }
    }

    private static func parseSignature(_ text: String?, what: String) throws(AuditFailure) -> Signature {
        guard let text else { throw AuditFailure(reason: "\(what) is missing") }
        do { return try Signature(hex: text) } catch { throw AuditFailure(reason: "\(what): \(error)") }
    }
}
