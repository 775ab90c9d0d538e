public import EthCrypto
public import JSONCore

/// A ticket with the sender's raw 65-byte signature and, for a winner or a dispute, the recipient's rand.
/// Its JSON is go-livepeer's field names plus `sig` (0x-hex) and optional `recipientRand` (decimal).
public struct SignedTicket: Sendable, Hashable {
    public var ticket: Ticket
    public var sig: [UInt8]
    public var recipientRand: UInt256?

    public init(ticket: Ticket, sig: [UInt8], recipientRand: UInt256? = nil) {
        self.ticket = ticket
        self.sig = sig
        self.recipientRand = recipientRand
    }

    /// Reads a JSON ticket; `sig` is required only when `requireSignature` is true.
    public init(json: JSONValue, requireSignature: Bool = true) throws(Ticket.FieldError) {
        guard json.objectValue != nil else { throw Ticket.FieldError(field: "(ticket)", reason: "must be a JSON object") }
        let known: Set<String> = [
            "recipient", "sender", "faceValue", "winProb", "senderNonce", "recipientRandHash", "creationRound",
            "creationRoundBlockHash", "sig", "recipientRand",
        ]
        if let unknown = json.objectValue?.keys.sorted().first(where: { !known.contains($0) }) {
            throw Ticket.FieldError(field: unknown, reason: "unknown field")
        }
        ticket = try Ticket(json: json)
        if let sigText = json["sig"] {
            guard let text = sigText.stringValue else { throw Ticket.FieldError(field: "sig", reason: "must be a string") }
            do { sig = try Hex.decode(text) } catch { throw Ticket.FieldError(field: "sig", reason: "\(error)") }
        } else if requireSignature {
            throw Ticket.FieldError(field: "sig", reason: "missing")
        } else {
            sig = []
        }
        if let randValue = json["recipientRand"] {
            guard let text = randValue.stringValue else {
                throw Ticket.FieldError(field: "recipientRand", reason: "must be a decimal string")
            }
            do { recipientRand = try UInt256(decimal: text) } catch {
                throw Ticket.FieldError(field: "recipientRand", reason: "\(error)")
            }
        } else {
            recipientRand = nil
        }
    }

    /// The JSON form: the ticket's fields, `sig`, and `recipientRand` when present.
    public var json: JSONValue {
        var text = EventText()
        return .object(jsonFields(text: &text, includeRand: true))
    }

    /// The fields of the JSON form, reusing the text of values written just before; events leave the rand out
    /// (a winner's rand is its own field there).
    func jsonFields(text: inout EventText, includeRand: Bool) -> [String: JSONValue] {
        var fields = ticket.jsonFields(text: &text)
        fields["sig"] = .string(Hex.encode(sig, prefix: true))
        if includeRand, let recipientRand { fields["recipientRand"] = .string(recipientRand.description) }
        return fields
    }
}
