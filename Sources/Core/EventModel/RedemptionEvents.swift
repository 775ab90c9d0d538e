public import EthCrypto
public import JSONCore

// The settlement family's redemption events, declared once each (topic `settlement`, keyed by orchestrator). Amounts are
// wei as decimal strings, hashes lower-case 0x-hex, as the catalog's schemas say.

/// `redemption.submitted` v1: a batch of winning tickets about to be sent in one transaction (in the log first).
public struct RedemptionSubmitted: TypedEvent {
    public static let type = "redemption.submitted"
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var txHash: Hash32
    public var tickets: [Hash32]
    public var gasPrice: UInt256
    public var gasLimit: UInt64
    public var faceValue: UInt256

    public init(txHash: Hash32, tickets: [Hash32], gasPrice: UInt256, gasLimit: UInt64, faceValue: UInt256) {
        self.txHash = txHash
        self.tickets = tickets
        self.gasPrice = gasPrice
        self.gasLimit = gasLimit
        self.faceValue = faceValue
    }

    public var payload: JSONValue {
        ["txHash": .string(txHash.hex), "tickets": .array(tickets.map { .string($0.hex) }), "gasPrice": .string(gasPrice.description),
         "gasLimit": .integer(Int64(clamping: gasLimit)), "faceValue": .string(faceValue.description)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        txHash = try payload.hash("txHash")
        var tickets: [Hash32] = []
        for item in try payload.array("tickets") {
            guard let text = item.stringValue, let hash = try? Hash32(hex: text) else {
                throw .wrongField(event: payload.event, field: "tickets", expected: "an array of 32-byte 0x-hex")
            }
            tickets.append(hash)
        }
        self.tickets = tickets
        gasPrice = try payload.uint256("gasPrice")
        gasLimit = try payload.count("gasLimit")
        faceValue = try payload.uint256("faceValue")
    }
}

/// What a mined redemption transaction's receipt says, shared by its confirmation and its revert: the transaction, its
/// block and the protocol round then, the gas used, the effective price and the cost.
public struct MinedReceipt: Sendable, Equatable {
    public var txHash: Hash32
    public var block: UInt64
    public var round: Int64
    public var gasUsed: UInt64
    public var gasPrice: UInt256
    public var gasCost: UInt256

    public init(txHash: Hash32, block: UInt64, round: Int64, gasUsed: UInt64, gasPrice: UInt256, gasCost: UInt256) {
        self.txHash = txHash
        self.block = block
        self.round = round
        self.gasUsed = gasUsed
        self.gasPrice = gasPrice
        self.gasCost = gasCost
    }

    var fields: [String: JSONValue] {
        ["txHash": .string(txHash.hex), "block": .integer(Int64(clamping: block)), "round": .integer(round),
         "gasUsed": .integer(Int64(clamping: gasUsed)), "gasPrice": .string(gasPrice.description), "gasCost": .string(gasCost.description)]
    }

    init(payload: PayloadReader) throws(TypedEventError) {
        txHash = try payload.hash("txHash")
        block = try payload.count("block")
        round = try payload.int("round")
        gasUsed = try payload.count("gasUsed")
        gasPrice = try payload.uint256("gasPrice")
        gasCost = try payload.uint256("gasCost")
    }
}

/// `redemption.confirmed` v2: a redemption transaction mined, as its receipt says (gas, price, the face value paid, the
/// tickets that paid) with the fee split the chain credited in its round.
public struct RedemptionConfirmed: TypedEvent {
    public static let type = "redemption.confirmed"
    public static let version = 2
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var receipt: MinedReceipt
    public var redeemed: Int
    public var ticketsPaid: Int
    public var faceValue: UInt256
    public var amount: UInt256
    public var orchestratorShare: UInt256
    public var delegatorShare: UInt256
    /// Delegator (checksummed) → its share, in the order written.
    public var delegators: [(delegator: String, amount: UInt256)]

    public init(receipt: MinedReceipt, redeemed: Int, ticketsPaid: Int, faceValue: UInt256, amount: UInt256, orchestratorShare: UInt256,
                delegatorShare: UInt256, delegators: [(delegator: String, amount: UInt256)] = []) {
        self.receipt = receipt
        self.redeemed = redeemed
        self.ticketsPaid = ticketsPaid
        self.faceValue = faceValue
        self.amount = amount
        self.orchestratorShare = orchestratorShare
        self.delegatorShare = delegatorShare
        self.delegators = delegators
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.payload == rhs.payload }

    public var payload: JSONValue {
        .object(receipt.fields.merging([
            "redeemed": .integer(Int64(redeemed)), "ticketsPaid": .integer(Int64(ticketsPaid)), "faceValue": .string(faceValue.description),
            "amount": .string(amount.description), "orchestratorShare": .string(orchestratorShare.description),
            "delegatorShare": .string(delegatorShare.description),
            "delegators": .array(delegators.map { ["delegator": .string($0.delegator), "amount": .string($0.amount.description)] }),
        ]) { first, _ in first })
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        receipt = try MinedReceipt(payload: payload)
        redeemed = Int(try payload.count("redeemed"))
        ticketsPaid = Int(try payload.count("ticketsPaid"))
        faceValue = try payload.uint256("faceValue")
        amount = try payload.uint256("amount")
        orchestratorShare = try payload.uint256("orchestratorShare")
        delegatorShare = try payload.uint256("delegatorShare")
        var delegators: [(delegator: String, amount: UInt256)] = []
        for item in try payload.array("delegators") {
            let entry = try PayloadReader(item, event: payload.event)
            delegators.append((try entry.string("delegator"), try entry.uint256("amount")))
        }
        self.delegators = delegators
    }
}

/// `redemption.reverted` v1: a redemption transaction mined with status 0. It paid nothing and its gas is spent; its
/// tickets stay pending unless the chain refuses them for good.
public struct RedemptionReverted: TypedEvent {
    public static let type = "redemption.reverted"
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var receipt: MinedReceipt
    public var tickets: Int
    public var reason: String

    public init(receipt: MinedReceipt, tickets: Int, reason: String) {
        self.receipt = receipt
        self.tickets = tickets
        self.reason = String(reason.prefix(1_000))
    }

    public var payload: JSONValue {
        .object(receipt.fields.merging(["tickets": .integer(Int64(tickets)), "reason": .string(reason)]) { first, _ in first })
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        receipt = try MinedReceipt(payload: payload)
        tickets = Int(try payload.count("tickets"))
        reason = try payload.string("reason")
    }
}

/// `redemption.failed` v1: a redemption transaction that will never pay (not sent, dropped, replaced).
public struct RedemptionFailed: TypedEvent {
    public static let type = "redemption.failed"
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var txHash: Hash32?
    public var reason: String

    public init(txHash: Hash32?, reason: String) {
        self.txHash = txHash
        self.reason = reason
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["reason": .string(reason)]
        if let txHash { fields["txHash"] = .string(txHash.hex) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        txHash = try payload.optional("txHash", payload.hash)
        reason = try payload.string("reason")
    }
}

/// `eth.transaction` v1: a signed Ethereum (EIP-1559) transaction, durable in the log before it is broadcast; a
/// replacement is another one with the same nonce. Recovery after a crash rebroadcasts `raw` or finds its receipt.
public struct EthTransactionSigned: TypedEvent {
    public static let type = "eth.transaction"
    public static let version = 1
    public static let topic = Topic.settlement
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var txHash: Hash32
    public var from: Address
    public var to: Address
    public var nonce: UInt64
    public var gasLimit: UInt64
    public var maxFeePerGas: UInt256
    public var maxPriorityFeePerGas: UInt256
    public var raw: [UInt8]
    public var purpose: String

    public init(txHash: Hash32, from: Address, to: Address, nonce: UInt64, gasLimit: UInt64, maxFeePerGas: UInt256,
                maxPriorityFeePerGas: UInt256, raw: [UInt8], purpose: String) {
        self.txHash = txHash
        self.from = from
        self.to = to
        self.nonce = nonce
        self.gasLimit = gasLimit
        self.maxFeePerGas = maxFeePerGas
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.raw = raw
        self.purpose = purpose
    }

    public var payload: JSONValue {
        ["txHash": .string(txHash.hex), "from": .string(from.checksummed), "to": .string(to.checksummed),
         "nonce": .integer(Int64(clamping: nonce)), "gasLimit": .integer(Int64(clamping: gasLimit)),
         "maxFeePerGas": .string(maxFeePerGas.description), "maxPriorityFeePerGas": .string(maxPriorityFeePerGas.description),
         "raw": .string(Hex.encode(raw)), "purpose": .string(purpose)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        txHash = try payload.hash("txHash")
        from = try payload.address("from")
        to = try payload.address("to")
        nonce = try payload.count("nonce")
        gasLimit = try payload.count("gasLimit")
        maxFeePerGas = try payload.uint256("maxFeePerGas")
        maxPriorityFeePerGas = try payload.uint256("maxPriorityFeePerGas")
        do { raw = try Hex.decode(try payload.string("raw")) } catch {
            throw .wrongField(event: payload.event, field: "raw", expected: "0x-hex bytes")
        }
        purpose = try payload.string("purpose")
    }
}
