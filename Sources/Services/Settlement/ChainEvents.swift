public import EthCrypto
public import EventModel
import JSONCore
import Payments

/// The events a chain transaction or a new block produces, derived from the state before and after: a
/// `chain.transaction` for every transaction, plus `deposit.funded`, `reserve.funded`, `fees.credited` and
/// `round.started` where they apply. Ids derive from the transaction id, so writing them twice is harmless.
public enum ChainEvents {
    /// Milliseconds for a block: a fixed genesis time plus 12 s per block (deterministic, no clock).
    public static func timestamp(block: UInt64) -> Int64 { 1_700_000_000_000 + Int64(block) * 12_000 }

    public static func forTransaction(_ transaction: ChainTransaction, caller: Address, id: String, before: ChainState,
                                      after: ChainState, receipt: ChainReceipt) -> [EventEnvelope] {
        let time = timestamp(block: after.block)
        var events: [EventEnvelope] = []
        func add(_ type: String, keys: EventKeys, _ payload: JSONValue) {
            events.append(EventEnvelope(id: "chain/\(id)/\(events.count)", type: type, version: 1, topic: .settlement,
                                        keys: keys, timestamp: time, payload: payload))
        }
        var payload: [String: JSONValue] = [
            "id": .string(id), "from": .string(caller.checksummed), "kind": .string(kind(transaction)),
            "block": .integer(Int64(after.block)), "gasUsed": .integer(Int64(receipt.gasUsed)),
            "gasCost": .string(receipt.gasCost.description), "accepted": .bool(receipt.accepted),
        ]
        if let rejection = receipt.rejection { payload["reason"] = .string(rejection.rawValue) }
        if let amount = amount(transaction) { payload["amount"] = .string(amount.description) }
        add("chain.transaction", keys: EventKeys(), .object(payload))
        guard receipt.accepted else { return events }
        switch transaction {
        case .fundDeposit(let amount):
            add("deposit.funded", keys: EventKeys(sender: caller.checksummed), [
                "sender": .string(caller.checksummed), "amount": .string(amount.description),
                "deposit": .string(after.sender(caller).deposit.description)])
        case .fundReserve(let amount):
            add("reserve.funded", keys: EventKeys(sender: caller.checksummed), [
                "sender": .string(caller.checksummed), "amount": .string(amount.description),
                "reserve": .string(after.sender(caller).reserve.description)])
        case .redeem:
            let round = after.round
            let old = before.fees[round]?[caller] ?? ChainState.RoundFees()
            let new = after.fees[round]?[caller] ?? ChainState.RoundFees()
            let amount = (try? new.total - old.total) ?? .zero
            if !amount.isZero {
                add("fees.credited", keys: EventKeys(orchestrator: caller.checksummed), [
                    "orchestrator": .string(caller.checksummed), "round": .integer(round), "amount": .string(amount.description),
                    "orchestratorShare": .string(((try? new.orchestratorShare - old.orchestratorShare) ?? .zero).description),
                    "delegatorShare": .string(((try? new.delegatorShare - old.delegatorShare) ?? .zero).description)])
            }
        default: break
        }
        return events
    }

    /// `round.started` for every round that began between `before` and `after`.
    public static func forBlocks(before: ChainState, after: ChainState) -> [EventEnvelope] {
        guard after.round > before.round else { return [] }
        return ((before.round + 1)...after.round).compactMap { round in
            guard let hash = after.roundBlockHashes[round] else { return nil }
            let block = UInt64(round) * after.config.blocksPerRound
            return EventEnvelope(id: "chain/round/\(round)", type: "round.started", version: 1, topic: .settlement,
                                 keys: EventKeys(), timestamp: timestamp(block: block),
                                 payload: ["round": .integer(round), "block": .integer(Int64(block)), "blockHash": .string(hash.hex)])
        }
    }

    static func kind(_ transaction: ChainTransaction) -> String {
        switch transaction {
        case .mint: "mint"
        case .stake: "stake"
        case .fundDeposit: "fund-deposit"
        case .fundReserve: "fund-reserve"
        case .unlock: "unlock"
        case .cancelUnlock: "cancel-unlock"
        case .withdraw: "withdraw"
        case .registerTranscoder: "register-transcoder"
        case .setServiceURI: "set-service-uri"
        case .redeem: "redeem"
        case .reward: "reward"
        }
    }

    static func amount(_ transaction: ChainTransaction) -> UInt256? {
        switch transaction {
        case .mint(_, let amount), .stake(_, _, let amount), .fundDeposit(let amount), .fundReserve(let amount): amount
        default: nil
        }
    }
}
