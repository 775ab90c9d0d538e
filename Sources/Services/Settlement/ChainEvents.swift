public import EthCrypto
public import EventModel
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
        func add<Event: TypedEvent>(_ event: Event, keys: EventKeys) {
            events.append(event.envelope(id: "chain/\(id)/\(events.count)", keys: keys, timestamp: time))
        }
        add(ChainTransactionRan(id: id, from: caller, kind: kind(transaction), block: after.block, gasUsed: receipt.gasUsed,
                                gasCost: receipt.gasCost, accepted: receipt.accepted, reason: receipt.rejection?.rawValue,
                                amount: amount(transaction)), keys: EventKeys())
        guard receipt.accepted else { return events }
        switch transaction {
        case .fundDeposit(let amount):
            add(DepositFunded(sender: caller, amount: amount, deposit: after.sender(caller).deposit), keys: EventKeys(sender: caller.checksummed))
        case .fundReserve(let amount):
            add(ReserveFunded(sender: caller, amount: amount, reserve: after.sender(caller).reserve), keys: EventKeys(sender: caller.checksummed))
        case .redeem:
            let round = after.round
            let old = before.fees[round]?[caller] ?? ChainState.RoundFees()
            let new = after.fees[round]?[caller] ?? ChainState.RoundFees()
            let amount = (try? new.total - old.total) ?? .zero
            if !amount.isZero {
                add(FeesCredited(orchestrator: caller, round: round, amount: amount,
                                 orchestratorShare: (try? new.orchestratorShare - old.orchestratorShare) ?? .zero,
                                 delegatorShare: (try? new.delegatorShare - old.delegatorShare) ?? .zero),
                    keys: EventKeys(orchestrator: caller.checksummed))
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
            return RoundStarted(round: round, block: block, blockHash: hash)
                .envelope(id: "chain/round/\(round)", keys: EventKeys(), timestamp: timestamp(block: block))
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
