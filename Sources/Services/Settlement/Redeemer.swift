public import EthCrypto
public import Payments

/// When and what to redeem: the operator's limit on gas as a share of face value (default 1%) and the most
/// tickets one transaction carries.
public struct RedeemerPolicy: Sendable, Hashable, Codable {
    /// Gas cost ÷ face value of a batch, in parts per million (10,000 = 1%).
    public var maxCostShare: UInt64
    public var maxBatch: Int
    /// Tickets to gather before redeeming while waiting costs nothing; a ticket in its last valid round, or a
    /// full batch, goes regardless.
    public var minBatch: Int

    public init(maxCostShare: UInt64 = 10_000, maxBatch: Int = 100, minBatch: Int = 10) {
        self.maxCostShare = maxCostShare
        self.maxBatch = maxBatch
        self.minBatch = minBatch
    }
}

/// A winning ticket waiting in the ticket book, with the rand that proves it wins.
public struct PendingWinner: Sendable, Hashable {
    public let signed: SignedTicket
    public let hash: Hash32

    public init(signed: SignedTicket) {
        self.signed = signed
        hash = signed.ticket.hash
    }

    public var ticket: Ticket { signed.ticket }
}

/// What to do now: redeem `batch` in one transaction, record `expired` as expired, keep `deferred` (with why).
public struct RedemptionPlan: Sendable {
    public var batch: [PendingWinner] = []
    public var expired: [PendingWinner] = []
    /// Already used on chain (a crash after the transaction and before its events): record them redeemed.
    public var alreadyUsed: [PendingWinner] = []
    public var deferred: [(PendingWinner, String)] = []
    public var estimatedCost: UInt256 = .zero
}

/// The batch redeemer's decision, a pure function of the pending winners, the chain and the gas price.
/// Redeems when the batch's gas cost is at most the policy's share of its face value; never includes a
/// ticket whose face value does not cover its share of the cost; keeps per-sender order; stays within
/// each sender's deposit plus this claimant's reserve allocation (max float); gathers at least `minBatch`
/// tickets while none is in its last valid round; defers during gas spikes except for tickets in their
/// last valid round that are still profitable; records expired tickets.
public struct Redeemer: Sendable {
    public let policy: RedeemerPolicy

    public init(policy: RedeemerPolicy = RedeemerPolicy()) { self.policy = policy }

    public func plan(_ pending: [PendingWinner], claimant: Address, chain: ChainState, gasPrice: UInt256) -> RedemptionPlan {
        var plan = RedemptionPlan()
        let validity = chain.config.ticketValidityRounds
        var live: [PendingWinner] = []
        for winner in pending {
            if chain.usedTickets.contains(winner.hash) {
                plan.alreadyUsed.append(winner)
            } else if chain.round - winner.ticket.creationRound >= validity {
                plan.expired.append(winner)
            } else {
                live.append(winner)
            }
        }
        // Per sender, oldest first; within a sender's funds.
        let active = Set(chain.activeSet)
        var bySender: [Address: [PendingWinner]] = [:]
        for winner in live { bySender[winner.ticket.sender, default: []].append(winner) }
        var candidates: [PendingWinner] = []
        for sender in bySender.keys.sorted() {
            let ordered = bySender[sender]!.sorted {
                ($0.ticket.creationRound, $0.ticket.senderNonce) < ($1.ticket.creationRound, $1.ticket.senderNonce)
            }
            var available = Self.available(sender: sender, claimant: claimant, chain: chain, active: active)
            for winner in ordered {
                if winner.ticket.faceValue <= available {
                    available = (try? available - winner.ticket.faceValue) ?? .zero
                    candidates.append(winner)
                } else {
                    plan.deferred.append((winner, "sender funds below face value"))
                }
            }
        }
        candidates = Array(candidates.prefix(policy.maxBatch))
        for winner in live where !candidates.contains(winner) && !plan.deferred.contains(where: { $0.0 == winner }) {
            plan.deferred.append((winner, "batch is full"))
        }
        var batch = candidates
        while !batch.isEmpty {
            let batchCost = cost(of: batch.count, chain: chain, gasPrice: gasPrice)
            let share = (try? batchCost / UInt256(UInt64(batch.count))) ?? .max
            // Drop tickets that do not cover their share of the cost (smallest first), then re-price.
            let covering = batch.filter { $0.ticket.faceValue > share }
            if covering.count == batch.count { break }
            for winner in batch where !covering.contains(winner) { plan.deferred.append((winner, "face value below its gas share")) }
            batch = covering
        }
        guard !batch.isEmpty else { return plan }
        let faceTotal = batch.reduce(UInt256.zero) { (try? $0 + $1.ticket.faceValue) ?? .max }
        let total = cost(of: batch.count, chain: chain, gasPrice: gasPrice)
        let limit = (try? UInt256.mulDiv(faceTotal, UInt256(policy.maxCostShare), UInt256(1_000_000))) ?? .zero
        let urgent = batch.contains { chain.round - $0.ticket.creationRound == validity - 1 }
        if total <= limit {
            if batch.count >= policy.minBatch || batch.count >= policy.maxBatch || urgent {
                plan.batch = batch
                plan.estimatedCost = total
            } else {
                for winner in batch { plan.deferred.append((winner, "gathering a batch")) }
            }
            return plan
        }
        // A spike: only tickets in their last valid round go, if still profitable on their own account.
        let lastChance = batch.filter { chain.round - $0.ticket.creationRound == validity - 1 }
        let lastCost = cost(of: lastChance.count, chain: chain, gasPrice: gasPrice)
        let lastFace = lastChance.reduce(UInt256.zero) { (try? $0 + $1.ticket.faceValue) ?? .max }
        for winner in batch where !lastChance.contains(winner) { plan.deferred.append((winner, "gas above the cost share")) }
        if !lastChance.isEmpty, lastFace > lastCost {
            plan.batch = lastChance
            plan.estimatedCost = lastCost
        } else {
            for winner in lastChance { plan.deferred.append((winner, "gas above the cost share")) }
        }
        return plan
    }

    func cost(of tickets: Int, chain: ChainState, gasPrice: UInt256) -> UInt256 {
        (try? UInt256(chain.config.redemptionGas(tickets: tickets)) * gasPrice) ?? .max
    }

    /// A sender's deposit plus this claimant's reserve allocation this round (zero outside the active set).
    static func available(sender: Address, claimant: Address, chain: ChainState, active: Set<Address>) -> UInt256 {
        let allowance = chain.reserveAllowance(sender: sender, claimant: claimant, active: active)
        return (try? chain.sender(sender).deposit + allowance) ?? .max
    }
}
