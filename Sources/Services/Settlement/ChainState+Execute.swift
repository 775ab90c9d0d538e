public import EthCrypto
import Payments

extension ChainState {
    /// Runs one transaction from `caller` at `gasPrice`. A refused transaction changes nothing, not even gas
    /// (the embedded chain checks up front what a real one would revert).
    public mutating func execute(_ transaction: ChainTransaction, from caller: Address, gasPrice: UInt256) -> ChainReceipt {
        let gas: UInt64
        switch transaction {
        case .mint, .stake: gas = 0
        case .redeem(let tickets): gas = config.redemptionGas(tickets: tickets.count)
        default: gas = config.gasPerTransaction
        }
        let cost = (try? UInt256(gas) * gasPrice) ?? .max
        func refuse(_ reason: ChainRejection) -> ChainReceipt {
            ChainReceipt(block: block, rejection: reason, gasUsed: 0, gasCost: .zero, redemptions: [])
        }
        guard balance(caller) >= cost else { return refuse(.insufficientGasFunds) }
        var trial = self
        trial.balances[caller] = (try? trial.balance(caller) - cost) ?? .zero
        trial.gasBurned = (try? trial.gasBurned + cost) ?? .max
        var redemptions: [TicketRedemption] = []
        var split: FeeSplit?
        do {
            switch transaction {
            case .mint(let to, let amount):
                trial.balances[to] = (try? trial.balance(to) + amount) ?? .max
                trial.minted = (try? trial.minted + amount) ?? .max
            case .stake(let delegator, let transcoder, let amount):
                guard !amount.isZero else { throw ChainRejection.zeroAmount }
                var delegation = trial.delegations[delegator] ?? Delegation(delegate: transcoder, bonded: .zero)
                delegation.delegate = transcoder
                delegation.bonded = (try? delegation.bonded + amount) ?? .max
                trial.delegations[delegator] = delegation
            case .fundDeposit(let amount), .fundReserve(let amount):
                guard !amount.isZero else { throw ChainRejection.zeroAmount }
                guard trial.balance(caller) >= amount else { throw ChainRejection.insufficientFunds }
                trial.balances[caller] = (try? trial.balance(caller) - amount) ?? .zero
                var sender = trial.sender(caller)
                if case .fundDeposit = transaction {
                    sender.deposit = (try? sender.deposit + amount) ?? .max
                } else {
                    sender.reserve = (try? sender.reserve + amount) ?? .max
                }
                trial.senders[caller] = sender
            case .unlock:
                var sender = trial.sender(caller)
                guard !(sender.deposit.isZero && sender.reserve.isZero) else { throw ChainRejection.nothingToWithdraw }
                guard sender.withdrawRound == nil else { throw ChainRejection.unlockPending }
                sender.withdrawRound = trial.round + trial.config.unlockPeriodRounds
                trial.senders[caller] = sender
            case .cancelUnlock:
                var sender = trial.sender(caller)
                guard sender.withdrawRound != nil else { throw ChainRejection.notUnlocked }
                sender.withdrawRound = nil
                trial.senders[caller] = sender
            case .withdraw:
                let sender = trial.sender(caller)
                guard let unlocked = sender.withdrawRound, trial.round >= unlocked else { throw ChainRejection.notUnlocked }
                let amount = (try? sender.deposit + sender.reserve) ?? .max
                trial.balances[caller] = (try? trial.balance(caller) + amount) ?? .max
                trial.senders[caller] = Sender()
            case .registerTranscoder(let rewardCut, let feeShare):
                guard rewardCut <= 1_000_000, feeShare <= 1_000_000 else { throw ChainRejection.invalidCut }
                trial.transcoders[caller] = Transcoder(rewardCut: rewardCut, feeShare: feeShare)
            case .setServiceURI(let uri):
                guard !uri.isEmpty, uri.utf8.count <= 256 else { throw ChainRejection.invalidServiceURI }
                trial.serviceURIs[caller] = uri
            case .redeem(let tickets):
                guard !tickets.isEmpty else { throw ChainRejection.emptyBatch }
                let active = Set(trial.activeSet)
                let before = trial.fees[trial.round]?[caller] ?? RoundFees()
                redemptions = tickets.map { trial.redeemOne($0, claimant: caller, active: active) }
                var ledger = trial.fees[trial.round]?[caller] ?? RoundFees()
                ledger.transactions += 1
                ledger.gasCost = (try? ledger.gasCost + cost) ?? .max
                trial.fees[trial.round, default: [:]][caller] = ledger
                split = FeeSplit(round: trial.round, before: before, after: ledger)
            case .reward:
                try trial.payReward(to: caller)
            }
        } catch let rejection as ChainRejection {
            return refuse(rejection)
        } catch {
            return refuse(.insufficientFunds)
        }
        self = trial
        return ChainReceipt(block: block, rejection: nil, gasUsed: gas, gasCost: cost, redemptions: redemptions, gasPrice: gasPrice,
                            fees: split)
    }

    /// Mines `count` empty blocks; each round's first block hash is remembered for ticket checks.
    public mutating func advance(blocks count: UInt64) {
        for _ in 0..<count {
            block += 1
            var hasher = Keccak256()
            blockHash.withUnsafeBytes { hasher.update($0) }
            hasher.update(UInt256(block).bigEndianBytes)
            blockHash = hasher.finalize()
            if block % config.blocksPerRound == 0 { roundBlockHashes[round] = blockHash }
        }
    }
}
