import EventModel
import JSONCore

/// The settlement chain: funds, rounds, redemptions and fees.
enum SettlementEvents {
    static let all: [EventDefinition] = [
        EventDefinition(
            type: "deposit.funded", version: 1, topic: .settlement, requiredKeys: [.sender],
            summary: "A broadcaster added to its deposit.",
            payload: Schema.object(["sender": Schema.address, "amount": Schema.uint256, "deposit": Schema.uint256],
                                   required: ["sender", "amount", "deposit"])),
        EventDefinition(
            type: "reserve.funded", version: 1, topic: .settlement, requiredKeys: [.sender],
            summary: "A broadcaster added to its reserve.",
            payload: Schema.object(["sender": Schema.address, "amount": Schema.uint256, "reserve": Schema.uint256],
                                   required: ["sender", "amount", "reserve"])),
        EventDefinition(
            type: "redemption.submitted", version: 1, topic: .settlement, requiredKeys: [.orchestrator],
            summary: "A batch of winning tickets was sent to the chain in one transaction.",
            payload: Schema.object(
                ["txHash": Schema.hash32, "tickets": Schema.array(Schema.hash32, minItems: 1),
                 "gasPrice": Schema.uint256, "gasLimit": Schema.count, "faceValue": Schema.uint256],
                required: ["txHash", "tickets", "gasPrice", "gasLimit", "faceValue"])),
        EventDefinition(
            type: "redemption.confirmed", version: 1, topic: .settlement, requiredKeys: [.orchestrator],
            summary: "A redemption transaction was mined.",
            payload: Schema.object(
                ["txHash": Schema.hash32, "block": Schema.count, "gasUsed": Schema.count, "gasCost": Schema.uint256,
                 "redeemed": Schema.count, "amount": Schema.uint256],
                required: ["txHash", "block", "gasUsed", "gasCost", "redeemed", "amount"])),
        EventDefinition(
            type: "redemption.confirmed", version: 2, topic: .settlement, requiredKeys: [.orchestrator],
            summary: "A redemption transaction was mined: its receipt as the chain reported it (gas, price, the face value paid, "
                + "the tickets that paid, and the fee split the chain credited in its round), so fee reports are a fold over the log.",
            payload: Schema.object(
                ["txHash": Schema.hash32, "block": Schema.count, "round": Schema.round, "gasUsed": Schema.count,
                 "gasPrice": Schema.uint256, "gasCost": Schema.uint256, "redeemed": Schema.count, "ticketsPaid": Schema.count,
                 "faceValue": Schema.uint256, "amount": Schema.uint256, "orchestratorShare": Schema.uint256,
                 "delegatorShare": Schema.uint256,
                 "delegators": Schema.array(Schema.object(["delegator": Schema.address, "amount": Schema.uint256],
                                                          required: ["delegator", "amount"]))],
                required: ["txHash", "block", "round", "gasUsed", "gasPrice", "gasCost", "redeemed", "ticketsPaid", "faceValue",
                           "amount", "orchestratorShare", "delegatorShare", "delegators"])),
        EventDefinition(
            type: "redemption.reverted", version: 1, topic: .settlement, requiredKeys: [.orchestrator],
            summary: "A redemption transaction was mined but reverted (receipt status 0): it paid nothing and its gas is spent; "
                + "its tickets stay pending unless the chain refuses them for good. `reason` is the contract's, when it still says.",
            payload: Schema.object(
                ["txHash": Schema.hash32, "block": Schema.count, "round": Schema.round, "gasUsed": Schema.count,
                 "gasPrice": Schema.uint256, "gasCost": Schema.uint256, "tickets": Schema.count, "reason": Schema.string()],
                required: ["txHash", "block", "round", "gasUsed", "gasPrice", "gasCost", "tickets", "reason"])),
        EventDefinition(
            type: "redemption.failed", version: 1, topic: .settlement, requiredKeys: [.orchestrator],
            summary: "A redemption transaction failed or was dropped.",
            payload: Schema.object(["txHash": Schema.hash32, "reason": Schema.string()], required: ["reason"])),
        EventDefinition(
            type: "chain.transaction", version: 1, topic: .settlement, requiredKeys: [],
            summary: "The settlement chain ran a transaction (every state change of the embedded chain is one).",
            payload: Schema.object(
                ["id": Schema.identifier, "from": Schema.address, "kind": Schema.identifier, "block": Schema.count,
                 "gasUsed": Schema.count, "gasCost": Schema.uint256, "accepted": ["type": "boolean"],
                 "reason": Schema.string(maxLength: 200), "amount": Schema.uint256],
                required: ["id", "from", "kind", "block", "gasUsed", "gasCost", "accepted"])),
        EventDefinition(
            type: "eth.transaction", version: 1, topic: .settlement, requiredKeys: [.orchestrator],
            summary: "A signed Ethereum (EIP-1559) transaction, durable in the log before it is broadcast; a replacement is "
                + "another one with the same nonce. Recovery after a crash rebroadcasts `raw` or finds its receipt.",
            payload: Schema.object(
                ["txHash": Schema.hash32, "from": Schema.address, "to": Schema.address, "nonce": Schema.count, "gasLimit": Schema.count,
                 "maxFeePerGas": Schema.uint256, "maxPriorityFeePerGas": Schema.uint256, "raw": Schema.hexBytes,
                 "purpose": Schema.identifier],
                required: ["txHash", "from", "to", "nonce", "gasLimit", "maxFeePerGas", "maxPriorityFeePerGas", "raw", "purpose"])),
        EventDefinition(
            type: "round.started", version: 1, topic: .settlement, requiredKeys: [],
            summary: "A new protocol round began at a block.",
            payload: Schema.object(["round": Schema.round, "block": Schema.count, "blockHash": Schema.hash32],
                                   required: ["round", "block", "blockHash"])),
        EventDefinition(
            type: "fees.credited", version: 1, topic: .settlement, requiredKeys: [.orchestrator],
            summary: "Fees earned in a round, split between the orchestrator and its delegators.",
            payload: Schema.object(
                ["orchestrator": Schema.address, "round": Schema.round, "amount": Schema.uint256,
                 "orchestratorShare": Schema.uint256, "delegatorShare": Schema.uint256],
                required: ["orchestrator", "round", "amount", "orchestratorShare", "delegatorShare"])),
    ]
}
