public import EthCrypto
public import JSONCore

// The tickets family's settlement outcomes, declared once each (topic `tickets`, keyed by sender and orchestrator).

/// `ticket.redeemed` v1: a winning ticket cashed on the settlement chain by transaction `txHash`; the parts paid from the
/// sender's deposit and reserve when the chain says.
public struct TicketRedeemed: TypedEvent {
    public static let type = "ticket.redeemed"
    public static let version = 1
    public static let topic = Topic.tickets
    public static let requiredKeys: [EventKeys.Kind] = [.sender, .orchestrator]

    public var ticketHash: Hash32
    public var txHash: Hash32
    public var faceValue: UInt256
    public var paidFromDeposit: UInt256?
    public var paidFromReserve: UInt256?

    public init(ticketHash: Hash32, txHash: Hash32, faceValue: UInt256, paidFromDeposit: UInt256? = nil, paidFromReserve: UInt256? = nil) {
        self.ticketHash = ticketHash
        self.txHash = txHash
        self.faceValue = faceValue
        self.paidFromDeposit = paidFromDeposit
        self.paidFromReserve = paidFromReserve
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["ticketHash": .string(ticketHash.hex), "txHash": .string(txHash.hex),
                                           "faceValue": .string(faceValue.description)]
        if let paidFromDeposit { fields["paidFromDeposit"] = .string(paidFromDeposit.description) }
        if let paidFromReserve { fields["paidFromReserve"] = .string(paidFromReserve.description) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        ticketHash = try payload.hash("ticketHash")
        txHash = try payload.hash("txHash")
        faceValue = try payload.uint256("faceValue")
        paidFromDeposit = try payload.optional("paidFromDeposit", payload.uint256)
        paidFromReserve = try payload.optional("paidFromReserve", payload.uint256)
    }
}

/// `ticket.expired` v1: a winning ticket that will never be paid (past its validity window, or refused by the chain),
/// with why.
public struct TicketExpired: TypedEvent {
    public static let type = "ticket.expired"
    public static let version = 1
    public static let topic = Topic.tickets
    public static let requiredKeys: [EventKeys.Kind] = [.sender, .orchestrator]

    public var ticketHash: Hash32
    public var faceValue: UInt256
    public var creationRound: Int64
    public var reason: String?

    public init(ticketHash: Hash32, faceValue: UInt256, creationRound: Int64, reason: String? = nil) {
        self.ticketHash = ticketHash
        self.faceValue = faceValue
        self.creationRound = creationRound
        self.reason = reason.map { String($0.prefix(200)) }
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["ticketHash": .string(ticketHash.hex), "faceValue": .string(faceValue.description),
                                           "creationRound": .integer(creationRound)]
        if let reason { fields["reason"] = .string(reason) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        ticketHash = try payload.hash("ticketHash")
        faceValue = try payload.uint256("faceValue")
        creationRound = try payload.int("creationRound")
        reason = try payload.optional("reason", payload.string)
    }
}
