public import EthCrypto
public import JSONCore

// The settlement family's chain events: every transaction the settlement chain ran, the funds, rounds and fees it
// changed (topic `settlement`). Addresses are written checksummed, amounts as decimal wei.

/// `chain.transaction` v1: the settlement chain ran a transaction (every state change of the embedded chain is one).
public struct ChainTransactionRan: TypedEvent {
    public static let type = "chain.transaction"
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = []

    public var id: String
    public var from: Address
    /// mint, stake, fund-deposit, redeem, …
    public var kind: String
    public var block: UInt64
    public var gasUsed: UInt64
    public var gasCost: UInt256
    public var accepted: Bool
    public var reason: String?
    public var amount: UInt256?

    public init(id: String, from: Address, kind: String, block: UInt64, gasUsed: UInt64, gasCost: UInt256, accepted: Bool,
                reason: String? = nil, amount: UInt256? = nil) {
        (self.id, self.from, self.kind, self.block, self.gasUsed, self.gasCost) = (id, from, kind, block, gasUsed, gasCost)
        (self.accepted, self.reason, self.amount) = (accepted, reason, amount)
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "from": .string(from.checksummed), "kind": .string(kind), "block": .integer(Int64(clamping: block)),
            "gasUsed": .integer(Int64(clamping: gasUsed)), "gasCost": .string(gasCost.description), "accepted": .bool(accepted),
        ]
        if let reason { fields["reason"] = .string(reason) }
        if let amount { fields["amount"] = .string(amount.description) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        id = try payload.string("id")
        from = try payload.address("from")
        kind = try payload.string("kind")
        block = try payload.count("block")
        gasUsed = try payload.count("gasUsed")
        gasCost = try payload.uint256("gasCost")
        accepted = try payload.bool("accepted")
        reason = try payload.optional("reason", payload.string)
        amount = try payload.optional("amount", payload.uint256)
    }
}

/// `deposit.funded` v1: a broadcaster added `amount` to its deposit, which is now `deposit`.
public struct DepositFunded: TypedEvent {
    public static let type = "deposit.funded"
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = [.sender]

    public var sender: Address
    public var amount: UInt256
    public var deposit: UInt256

    public init(sender: Address, amount: UInt256, deposit: UInt256) { (self.sender, self.amount, self.deposit) = (sender, amount, deposit) }

    public var payload: JSONValue {
        ["sender": .string(sender.checksummed), "amount": .string(amount.description), "deposit": .string(deposit.description)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        sender = try payload.address("sender")
        amount = try payload.uint256("amount")
        deposit = try payload.uint256("deposit")
    }
}

/// `reserve.funded` v1: a broadcaster added `amount` to its reserve, which is now `reserve`.
public struct ReserveFunded: TypedEvent {
    public static let type = "reserve.funded"
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = [.sender]

    public var sender: Address
    public var amount: UInt256
    public var reserve: UInt256

    public init(sender: Address, amount: UInt256, reserve: UInt256) { (self.sender, self.amount, self.reserve) = (sender, amount, reserve) }

    public var payload: JSONValue {
        ["sender": .string(sender.checksummed), "amount": .string(amount.description), "reserve": .string(reserve.description)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        sender = try payload.address("sender")
        amount = try payload.uint256("amount")
        reserve = try payload.uint256("reserve")
    }
}

/// `round.started` v1: a new protocol round began at a block.
public struct RoundStarted: TypedEvent {
    public static let type = "round.started"
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = []

    public var round: Int64
    public var block: UInt64
    public var blockHash: Hash32

    public init(round: Int64, block: UInt64, blockHash: Hash32) { (self.round, self.block, self.blockHash) = (round, block, blockHash) }

    public var payload: JSONValue {
        ["round": .integer(round), "block": .integer(Int64(clamping: block)), "blockHash": .string(blockHash.hex)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        round = try payload.int("round")
        block = try payload.count("block")
        blockHash = try payload.hash("blockHash")
    }
}

/// `fees.credited` v1: fees an orchestrator earned in a round, split between it and its delegators.
public struct FeesCredited: TypedEvent {
    public static let type = "fees.credited"
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var orchestrator: Address
    public var round: Int64
    public var amount: UInt256
    public var orchestratorShare: UInt256
    public var delegatorShare: UInt256

    public init(orchestrator: Address, round: Int64, amount: UInt256, orchestratorShare: UInt256, delegatorShare: UInt256) {
        (self.orchestrator, self.round, self.amount, self.orchestratorShare, self.delegatorShare) =
            (orchestrator, round, amount, orchestratorShare, delegatorShare)
    }

    public var payload: JSONValue {
        ["orchestrator": .string(orchestrator.checksummed), "round": .integer(round), "amount": .string(amount.description),
         "orchestratorShare": .string(orchestratorShare.description), "delegatorShare": .string(delegatorShare.description)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        orchestrator = try payload.address("orchestrator")
        round = try payload.int("round")
        amount = try payload.uint256("amount")
        orchestratorShare = try payload.uint256("orchestratorShare")
        delegatorShare = try payload.uint256("delegatorShare")
    }
}
