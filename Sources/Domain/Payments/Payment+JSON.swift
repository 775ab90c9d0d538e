import EthCrypto
public import JSONCore

/// Payments in JSON with go-livepeer's net.Payment field names (integers as decimal strings, bytes as 0x-hex):
/// how a payment travels in a segment request and how ops hand one to the CLI.
extension Payment {
    public init(json: JSONValue) throws(Ticket.FieldError) {
        let reader = FieldReader(json, path: "")
        let params = try reader.object("ticketParams")
        let expiration = try params.object("expirationParams")
        let price = try reader.object("expectedPrice")
        let ticketParams = TicketParams(
            recipient: try params.parse("recipient") { try Address($0) },
            faceValue: try params.parse("faceValue") { try UInt256(decimal: $0) },
            winProb: try params.parse("winProb") { try UInt256(decimal: $0) },
            recipientRandHash: try params.parse("recipientRandHash") { try Hash32(hex: $0) },
            seed: try params.parse("seed") { try Hash32(hex: $0) },
            expirationBlock: try params.integer("expirationBlock", max: UInt64.max),
            expirationParams: TicketExpirationParams(
                creationRound: Int64(try expiration.integer("creationRound", max: UInt64(Int64.max))),
                creationRoundBlockHash: try expiration.parse("creationRoundBlockHash") { try Hash32(hex: $0) }))
        guard let list = json["ticketSenderParams"]?.arrayValue else {
            throw Ticket.FieldError(field: "ticketSenderParams", reason: "missing or not an array")
        }
        var senderParams: [TicketSenderParams] = []
        for (index, item) in list.enumerated() {
            let entry = FieldReader(item, path: "ticketSenderParams[\(index)].")
            senderParams.append(TicketSenderParams(
                senderNonce: UInt32(try entry.integer("senderNonce", max: UInt64(UInt32.max))),
                sig: try entry.parse("sig") { try Hex.decode($0) }))
        }
        let expectedPrice: PriceInfo
        do {
            expectedPrice = try PriceInfo(
                pricePerUnit: try price.parse("pricePerUnit") { try UInt256(decimal: $0) },
                pixelsPerUnit: try price.parse("pixelsPerUnit") { try UInt256(decimal: $0) })
        } catch let error as Ticket.FieldError { throw error } catch {
            throw Ticket.FieldError(field: "expectedPrice.pixelsPerUnit", reason: "must be positive")
        }
        self.init(sender: try reader.parse("sender") { try Address($0) }, ticketParams: ticketParams,
                  senderParams: senderParams, expectedPrice: expectedPrice)
    }

    public var json: JSONValue {
        [
            "sender": .string(sender.checksummed),
            "ticketParams": [
                "recipient": .string(ticketParams.recipient.checksummed), "faceValue": .string(ticketParams.faceValue.description),
                "winProb": .string(ticketParams.winProb.description), "recipientRandHash": .string(ticketParams.recipientRandHash.hex),
                "seed": .string(ticketParams.seed.hex), "expirationBlock": .string(String(ticketParams.expirationBlock)),
                "expirationParams": [
                    "creationRound": .string(String(ticketParams.expirationParams.creationRound)),
                    "creationRoundBlockHash": .string(ticketParams.expirationParams.creationRoundBlockHash.hex),
                ],
            ],
            "ticketSenderParams": .array(senderParams.map {
                ["senderNonce": .string(String($0.senderNonce)), "sig": .string(Hex.encode($0.sig, prefix: true))]
            }),
            "expectedPrice": [
                "pricePerUnit": .string(expectedPrice.pricePerUnit.description),
                "pixelsPerUnit": .string(expectedPrice.pixelsPerUnit.description),
            ],
        ]
    }
}

/// Reads named fields of one JSON object, naming the full path of any field that is missing or wrong.
struct FieldReader {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    func object(_ field: String) throws(Ticket.FieldError) -> FieldReader {
        guard let inner = value[field], inner.objectValue != nil else {
            throw Ticket.FieldError(field: path + field, reason: "missing or not an object")
        }
        return FieldReader(inner, path: path + field + ".")
    }

    func text(_ field: String) throws(Ticket.FieldError) -> String {
        guard let inner = value[field] else { throw Ticket.FieldError(field: path + field, reason: "missing") }
        if let string = inner.stringValue { return string }
        if let integer = inner.integerValue { return String(integer) }
        throw Ticket.FieldError(field: path + field, reason: "must be a string")
    }

    func parse<T>(_ field: String, _ body: (String) throws -> T) throws(Ticket.FieldError) -> T {
        let raw = try text(field)
        do { return try body(raw) } catch { throw Ticket.FieldError(field: path + field, reason: "\(error)") }
    }

    func integer(_ field: String, max: UInt64) throws(Ticket.FieldError) -> UInt64 {
        let raw = try text(field)
        guard let number = UInt64(raw), number <= max, raw == String(number) else {
            throw Ticket.FieldError(field: path + field, reason: "must be a decimal integer up to \(max)")
        }
        return number
    }
}
