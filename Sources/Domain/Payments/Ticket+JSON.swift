import EthCrypto
public import JSONCore

/// Tickets in JSON with go-livepeer's field names: integers as decimal strings, bytes as 0x-hex.
extension Ticket {
    /// Why a JSON ticket could not be read; names the field.
    public struct FieldError: Error, Equatable, Sendable, CustomStringConvertible {
        public let field: String
        public let reason: String
        public var description: String { "ticket field \(field): \(reason)" }
    }

    public init(json: JSONValue) throws(FieldError) {
        let reader = FieldReader(json, path: "")
        let nonce = try reader.parse("senderNonce") { try UInt256(decimal: $0) }
        guard let nonce32 = nonce.uint64Value.flatMap(UInt32.init(exactly:)) else {
            throw FieldError(field: "senderNonce", reason: "must fit in 32 bits")
        }
        let round = try reader.parse("creationRound") { try UInt256(decimal: $0) }
        guard let round64 = round.uint64Value.flatMap(Int64.init(exactly:)) else {
            throw FieldError(field: "creationRound", reason: "must fit in 63 bits")
        }
        self.init(
            recipient: try reader.parse("recipient") { try Address($0) },
            sender: try reader.parse("sender") { try Address($0) },
            faceValue: try reader.parse("faceValue") { try UInt256(decimal: $0) },
            winProb: try reader.parse("winProb") { try UInt256(decimal: $0) },
            senderNonce: nonce32,
            recipientRandHash: try reader.parse("recipientRandHash") { try Hash32(hex: $0) },
            creationRound: round64,
            creationRoundBlockHash: try reader.parse("creationRoundBlockHash") { try Hash32(hex: $0) })
    }

    /// The JSON form (without sig), as events and the CLI carry it.
    public var json: JSONValue {
        var text = EventText()
        return json(text: &text)
    }

    /// The JSON form, reusing the text of values written just before.
    public func json(text: inout EventText) -> JSONValue { .object(jsonFields(text: &text)) }

    /// The fields of the JSON form, for callers that add more (such as `sig`) before wrapping them.
    public func jsonFields(text: inout EventText) -> [String: JSONValue] {
        [
            "recipient": .string(text.address(recipient)), "sender": .string(text.address(sender)),
            "faceValue": .string(text.amount(faceValue)), "winProb": .string(text.amount(winProb)),
            "senderNonce": .integer(Int64(senderNonce)), "recipientRandHash": .string(text.hash(recipientRandHash)),
            "creationRound": .integer(creationRound), "creationRoundBlockHash": .string(text.hash(creationRoundBlockHash)),
        ]
    }
}
