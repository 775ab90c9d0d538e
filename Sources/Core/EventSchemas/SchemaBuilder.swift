import JSONCore

/// Small helpers that keep the catalog's schema definitions short and uniform.
enum Schema {
    /// A closed object: the listed properties, `required` of them mandatory, nothing else allowed.
    static func object(_ properties: [String: JSONValue], required: [String], description: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = [
            "type": "object", "properties": .object(properties),
            "required": .array(required.sorted().map { .string($0) }), "additionalProperties": false,
        ]
        if let description { object["description"] = .string(description) }
        return .object(object)
    }

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/$defs/\(name)")] }
    static func array(_ items: JSONValue, minItems: Int = 0) -> JSONValue {
        ["type": "array", "items": items, "minItems": .integer(Int64(minItems))]
    }
    static func oneOfStrings(_ values: [String]) -> JSONValue {
        ["type": "string", "enum": .array(values.map { .string($0) })]
    }
    static func string(maxLength: Int = 1024) -> JSONValue { ["type": "string", "maxLength": .integer(Int64(maxLength))] }

    static let address = ref("address")
    static let hash32 = ref("hash32")
    static let hexBytes = ref("hexBytes")
    static let uint256 = ref("uint256")
    static let count = ref("count")
    static let segmentNumber = ref("count")
    static let milliseconds = ref("count")
    static let url = ref("url")
    static let identifier = ref("identifier")
    static let round = ref("count")
    static let profileName = ref("identifier")

    /// Definitions shared by every schema file.
    static let definitions: JSONValue = [
        "address": ["type": "string", "pattern": "^0x[0-9a-fA-F]{40}$", "description": "20-byte Ethereum address"],
        "hash32": ["type": "string", "pattern": "^0x[0-9a-f]{64}$", "description": "32 bytes, lower-case 0x-hex"],
        "hexBytes": ["type": "string", "pattern": "^0x([0-9a-f]{2})*$", "description": "bytes as lower-case 0x-hex"],
        "uint256": [
            "type": "string", "pattern": "^(0|[1-9][0-9]{0,77})$",
            "description": "unsigned 256-bit integer in decimal (wei, face value, win probability)",
        ],
        "count": ["type": "integer", "minimum": 0],
        "url": ["type": "string", "minLength": 1, "maxLength": 2048],
        "identifier": ["type": "string", "minLength": 1, "maxLength": 256],
        "ticket": object(
            [
                "recipient": address, "sender": address, "faceValue": uint256, "winProb": uint256,
                "senderNonce": count, "recipientRandHash": hash32, "creationRound": count,
                "creationRoundBlockHash": hash32, "sig": hexBytes,
            ],
            required: [
                "recipient", "sender", "faceValue", "winProb", "senderNonce", "recipientRandHash", "creationRound",
                "creationRoundBlockHash", "sig",
            ],
            description: "a probabilistic micropayment ticket with go-livepeer's field names"),
        "ticketTerms": object(
            [
                "recipient": address, "sender": address, "faceValue": uint256, "winProb": uint256,
                "recipientRandHash": hash32, "creationRound": count, "creationRoundBlockHash": hash32,
            ],
            required: [
                "recipient", "sender", "faceValue", "winProb", "recipientRandHash", "creationRound", "creationRoundBlockHash",
            ],
            description: "the fields every ticket of one payment shares (a ticket without senderNonce and sig)"),
        "senderTicket": object(
            ["senderNonce": count, "sig": hexBytes], required: ["senderNonce", "sig"],
            description: "one ticket of a payment: its nonce and the sender's 65-byte signature over its hash"),
        "rendition": object(
            [
                "profile": profileName, "width": count, "height": count, "frames": count, "pixels": count,
                "dataHash": hash32, "url": url,
            ],
            required: ["profile", "width", "height", "pixels", "dataHash"]),
    ]
}
