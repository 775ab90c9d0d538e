import EthCrypto
import Payments

extension ChainState {
    /// The TicketBroker's checks and payout for one ticket: the deposit pays first, then the reserve, capped
    /// per claimant per round at (reserve + claimed this round) / active set size, for active claimants only.
    mutating func redeemOne(_ signed: SignedTicket, claimant: Address, active: Set<Address>) -> TicketRedemption {
        let ticket = signed.ticket
        let hash = ticket.hash
        func refuse(_ reason: RedemptionRejection) -> TicketRedemption {
            TicketRedemption(ticketHash: hash, sender: ticket.sender, faceValue: ticket.faceValue, fromDeposit: .zero,
                             fromReserve: .zero, rejection: reason)
        }
        guard ticket.recipient == claimant else { return refuse(.notRecipient) }
        guard let signature = try? Signature(bytes: signed.sig),
              (try? signature.recoverAddress(digest: EthereumMessage.digest(hash: hash))) == ticket.sender else {
            return refuse(.badSignature)
        }
        guard let rand = signed.recipientRand else { return refuse(.missingReveal) }
        guard TicketLottery.recipientRandHash(rand) == ticket.recipientRandHash else { return refuse(.wrongReveal) }
        guard !usedTickets.contains(hash) else { return refuse(.alreadyUsed) }
        guard ticket.creationRound <= round, round - ticket.creationRound < config.ticketValidityRounds else {
            return refuse(.roundInvalid)
        }
        guard roundBlockHashes[ticket.creationRound] == ticket.creationRoundBlockHash else { return refuse(.blockHashMismatch) }
        guard TicketLottery.isWinning(sig: signed.sig, recipientRand: rand, winProb: ticket.winProb) else {
            return refuse(.notWinning)
        }
        usedTickets.insert(hash)
        var sender = self.sender(ticket.sender)
        let fromDeposit = min(sender.deposit, ticket.faceValue)
        sender.deposit = (try? sender.deposit - fromDeposit) ?? .zero
        var fromReserve = UInt256.zero
        let remaining = (try? ticket.faceValue - fromDeposit) ?? .zero
        if !remaining.isZero, active.contains(claimant) {
            let allowance = reserveAllowance(sender: ticket.sender, claimant: claimant, active: active)
            fromReserve = min(remaining, allowance, sender.reserve)
            sender.reserve = (try? sender.reserve - fromReserve) ?? .zero
            let claimed = reserveClaims[round]?[ticket.sender]?[claimant] ?? .zero
            reserveClaims[round, default: [:]][ticket.sender, default: [:]][claimant] = (try? claimed + fromReserve) ?? .max
        }
        senders[ticket.sender] = sender
        let paid = (try? fromDeposit + fromReserve) ?? .max
        if !paid.isZero { distributeFees(paid, to: claimant) }
        return TicketRedemption(ticketHash: hash, sender: ticket.sender, faceValue: ticket.faceValue,
                                fromDeposit: fromDeposit, fromReserve: fromReserve, rejection: nil)
    }

    /// What `claimant` may still take from `sender`'s reserve this round: (reserve + claimed this round) / active
    /// set size − what it has claimed (the Payments max-float rule, `SenderFunds.reserveAllocation`); nothing
    /// outside the active set.
    func reserveAllowance(sender: Address, claimant: Address, active: Set<Address>) -> UInt256 {
        guard active.contains(claimant) else { return .zero }
        let claims = reserveClaims[round]?[sender] ?? [:]
        let claimedInRound = claims.values.reduce(UInt256.zero) { (try? $0 + $1) ?? .max }
        return SenderFunds(deposit: .zero, reserve: self.sender(sender).reserve, claimedInCurrentRound: claimedInRound,
                           claimedByMe: claims[claimant] ?? .zero).reserveAllocation(activeSetSize: config.activeSetSize)
    }

    /// Fees to an orchestrator: feeShare (ppm) of them to its delegators pro rata to bonded stake, the rest (and
    /// every rounding remainder) to the orchestrator. Recorded in the round's fee ledger.
    mutating func distributeFees(_ amount: UInt256, to orchestrator: Address) {
        let feeShare = transcoders[orchestrator]?.feeShare ?? 0
        let pool = (try? UInt256.mulDiv(amount, UInt256(feeShare), UInt256(1_000_000))) ?? .zero
        let bonded = delegations.filter { $0.value.delegate == orchestrator && $0.key != orchestrator && !$0.value.bonded.isZero }
        let totalStake = stake(of: orchestrator)
        var ledger = fees[round]?[orchestrator] ?? RoundFees()
        var paidToDelegators = UInt256.zero
        if !totalStake.isZero {
            for (delegator, delegation) in bonded.sorted(by: { $0.key < $1.key }) {
                let part = (try? UInt256.mulDiv(pool, delegation.bonded, totalStake)) ?? .zero
                guard !part.isZero else { continue }
                balances[delegator] = (try? balance(delegator) + part) ?? .max
                ledger.delegators[delegator.checksummed] = (try? (ledger.delegators[delegator.checksummed] ?? .zero) + part) ?? .max
                paidToDelegators = (try? paidToDelegators + part) ?? .max
            }
        }
        let own = (try? amount - paidToDelegators) ?? .zero
        balances[orchestrator] = (try? balance(orchestrator) + own) ?? .max
        ledger.total = (try? ledger.total + amount) ?? .max
        ledger.orchestratorShare = (try? ledger.orchestratorShare + own) ?? .max
        ledger.delegatorShare = (try? ledger.delegatorShare + paidToDelegators) ?? .max
        ledger.tickets += 1
        fees[round, default: [:]][orchestrator] = ledger
    }

    /// This round's LPT reward for an active transcoder: rewardPerRound × its stake / the active set's stake;
    /// it keeps rewardCut (ppm), the rest is bonded to its delegators pro rata (its own bond included).
    mutating func payReward(to transcoder: Address) throws(ChainRejection) {
        guard let registered = transcoders[transcoder] else { throw .notTranscoder }
        let active = activeSet
        guard active.contains(transcoder) else { throw .notActive }
        let key = "\(round)/\(transcoder.checksummed)"
        guard !rewarded.contains(key) else { throw .alreadyRewarded }
        let totalActive = active.reduce(UInt256.zero) { (try? $0 + stake(of: $1)) ?? .max }
        let mine = stake(of: transcoder)
        let reward = (try? UInt256.mulDiv(config.rewardPerRound, mine, totalActive)) ?? .zero
        let cut = (try? UInt256.mulDiv(reward, UInt256(registered.rewardCut), UInt256(1_000_000))) ?? .zero
        let shared = (try? reward - cut) ?? .zero
        var given = UInt256.zero
        for (delegator, delegation) in delegations.filter({ $0.value.delegate == transcoder }).sorted(by: { $0.key < $1.key }) {
            let part = (try? UInt256.mulDiv(shared, delegation.bonded, mine)) ?? .zero
            delegations[delegator]?.bonded = (try? delegation.bonded + part) ?? .max
            given = (try? given + part) ?? .max
        }
        let keep = (try? reward - given) ?? .zero
        var own = delegations[transcoder] ?? Delegation(delegate: transcoder, bonded: .zero)
        own.bonded = (try? own.bonded + keep) ?? .max
        delegations[transcoder] = own
        rewardsMinted = (try? rewardsMinted + reward) ?? .max
        rewarded.insert(key)
    }
}
