import EventModel
import JSONCore

/// Probabilistic micropayment tickets: issued by a sender, received, won, rejected, redeemed, expired.
enum TicketEvents {
    static let all: [EventDefinition] = [
        EventDefinition(
            type: "ticket.issued", version: 1, topic: .tickets, requiredKeys: [.sender, .orchestrator],
            summary: "A broadcaster signed a ticket to pay for a segment.",
            payload: Schema.object(
                ["ticket": Schema.ref("ticket"), "ticketHash": Schema.hash32, "segmentSeq": Schema.segmentNumber,
                 "ev": Schema.uint256],
                required: ["ticket", "ticketHash", "ev"])),
        EventDefinition(
            type: "ticket.received", version: 1, topic: .tickets, requiredKeys: [.sender, .orchestrator],
            summary: "An orchestrator accepted a valid ticket and credited its expected value.",
            payload: Schema.object(
                ["ticket": Schema.ref("ticket"), "ticketHash": Schema.hash32, "ev": Schema.uint256],
                required: ["ticket", "ticketHash", "ev"])),
        EventDefinition(
            type: "payment.received", version: 1, topic: .tickets, requiredKeys: [.sender, .orchestrator],
            summary: "An orchestrator accepted the valid tickets of one payment and credited their expected value "
                + "(the shared terms once, then each ticket's nonce and signature).",
            payload: Schema.object(
                ["terms": Schema.ref("ticketTerms"), "tickets": Schema.array(Schema.ref("senderTicket"), minItems: 1),
                 "ev": Schema.uint256, "credited": Schema.uint256],
                required: ["terms", "tickets", "ev", "credited"])),
        EventDefinition(
            type: "ticket.won", version: 1, topic: .tickets, requiredKeys: [.sender, .orchestrator],
            summary: "A received ticket is a winner; it waits in the ticket book to be redeemed.",
            payload: Schema.object(
                ["ticket": Schema.ref("ticket"), "ticketHash": Schema.hash32, "recipientRand": Schema.uint256],
                required: ["ticket", "ticketHash", "recipientRand"])),
        EventDefinition(
            type: "ticket.rejected", version: 1, topic: .tickets, requiredKeys: [.sender, .orchestrator],
            summary: "An orchestrator refused a ticket, with a typed reason.",
            payload: Schema.object(
                ["ticketHash": Schema.hash32, "senderNonce": Schema.count,
                 "reason": Schema.oneOfStrings([
                    "malformed", "bad-signature", "signature-high-s", "signature-bad-v", "wrong-recipient",
                    "params-expired", "params-mismatch", "round-invalid", "nonce-replayed", "too-many-nonces",
                    "zero-win-prob", "face-value-below-tx-cost", "insufficient-reserve",
                 ]),
                 "detail": Schema.string()],
                required: ["reason"])),
        EventDefinition(
            type: "fee.debited", version: 1, topic: .tickets, requiredKeys: [.sender, .orchestrator],
            summary: "An orchestrator charged a segment's pixels at the agreed price against the sender's credit.",
            payload: Schema.object(
                ["segmentSeq": Schema.segmentNumber, "pixels": Schema.count, "pricePerUnit": Schema.uint256,
                 "pixelsPerUnit": Schema.uint256, "fee": Schema.uint256],
                required: ["segmentSeq", "pixels", "pricePerUnit", "pixelsPerUnit", "fee"])),
        EventDefinition(
            type: "ticket.redeemed", version: 1, topic: .tickets, requiredKeys: [.sender, .orchestrator],
            summary: "A winning ticket was cashed on the settlement chain.",
            payload: Schema.object(
                ["ticketHash": Schema.hash32, "txHash": Schema.hash32, "faceValue": Schema.uint256,
                 "paidFromDeposit": Schema.uint256, "paidFromReserve": Schema.uint256],
                required: ["ticketHash", "txHash", "faceValue"])),
        EventDefinition(
            type: "ticket.expired", version: 1, topic: .tickets, requiredKeys: [.sender, .orchestrator],
            summary: "A winning ticket passed its validity window before it was redeemed.",
            payload: Schema.object(
                ["ticketHash": Schema.hash32, "faceValue": Schema.uint256, "creationRound": Schema.round,
                 "reason": Schema.string(maxLength: 200)],
                required: ["ticketHash", "faceValue", "creationRound"])),
    ]
}
