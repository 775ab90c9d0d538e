public import EthCrypto
public import JSONCore

/// What anyone can tell about one signed ticket without the recipient's state: its hash, who signed it,
/// whether the signature is acceptable, and (given the recipient's rand) whether it wins. The ops and
/// dispute view behind `streamflow tickets verify`.
public struct TicketInspection: Sendable, Equatable {
    public let hash: Hash32?
    public let signer: Address?
    public let valid: Bool
    /// nil when no recipientRand was given.
    public let winning: Bool?
    public let expectedValue: UInt256?
    /// Typed reasons, empty when valid: the `ticket.rejected` reason strings plus `recipient-rand-mismatch`.
    public let reasons: [String]
    public let detail: String?

    /// Inspects JSON text: a ticket with go-livepeer's field names, `sig`, and optional `recipientRand`.
    public static func inspect(json bytes: some Collection<UInt8>) -> TicketInspection {
        let signed: SignedTicket
        do { signed = try SignedTicket(json: try JSONParser.parse(bytes)) } catch {
            return TicketInspection(hash: nil, signer: nil, valid: false, winning: nil, expectedValue: nil,
                                    reasons: [TicketRejectionReason.malformed.rawValue], detail: "\(error)")
        }
        return inspect(signed)
    }

    public static func inspect(_ signed: SignedTicket) -> TicketInspection {
        let ticket = signed.ticket
        let hash = ticket.hash
        var reasons: [String] = []
        var details: [String] = []
        var signer: Address?
        do {
            signer = try Signature(bytes: signed.sig).recoverSigner(message: hash.bytes)
            if signer != ticket.sender {
                reasons.append(TicketRejectionReason.badSignature.rawValue)
                details.append("signed by \(signer?.checksummed ?? "?"), not the sender \(ticket.sender.checksummed)")
            }
        } catch {
            let reason: TicketRejectionReason = switch error {
            case .highS: .signatureHighS
            case .invalidRecoveryID: .signatureBadV
            default: .badSignature
            }
            reasons.append(reason.rawValue)
            details.append(error.description)
        }
        if ticket.winProb.isZero {
            reasons.append(TicketRejectionReason.zeroWinProb.rawValue)
            details.append("winProb is zero")
        }
        var winning: Bool?
        if let rand = signed.recipientRand {
            if TicketLottery.recipientRandHash(rand) != ticket.recipientRandHash {
                reasons.append("recipient-rand-mismatch")
                details.append("keccak256(recipientRand) is not the ticket's recipientRandHash")
            }
            winning = TicketLottery.isWinning(sig: signed.sig, recipientRand: rand, winProb: ticket.winProb)
        }
        return TicketInspection(
            hash: hash, signer: signer, valid: reasons.isEmpty, winning: winning,
            expectedValue: TicketLottery.expectedValue(faceValue: ticket.faceValue, winProb: ticket.winProb),
            reasons: reasons, detail: details.isEmpty ? nil : details.joined(separator: "; "))
    }

    /// The one JSON object `tickets verify` prints.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "hash": hash.map { .string($0.hex) } ?? .null,
            "signer": signer.map { .string($0.checksummed) } ?? .null,
            "valid": .bool(valid),
            "winning": winning.map { .bool($0) } ?? .null,
            "ev": expectedValue.map { .string($0.description) } ?? .null,
            "reasons": .array(reasons.map { .string($0) }),
        ]
        if let detail { object["detail"] = .string(detail) }
        return .object(object)
    }
}
