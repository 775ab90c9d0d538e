public import EthCrypto
import EventModel
import Payments

/// `streamflow simulate settlement`: one seeded workload of segments paid with real signed tickets, settled
/// three ways on the embedded chain under the same gas trace — the alpha's per-job on-chain payments
/// (5 transactions per job), one ticket per transaction at the moment it wins (go-livepeer), and the
/// batch redeemer.
public struct SettlementSimulation: Sendable {
    public struct Parameters: Sendable, Codable {
        public var broadcasters = 50
        public var orchestrators = 120
        public var segments = 100_000
        public var seed: UInt64 = 1
        /// Fee per segment, wei (pixels × price); each segment is paid with tickets of `ticketEV`.
        public var feePerSegment = UInt256(2_000_000_000_000_000)
        public var ticketEV = UInt256(1_000_000_000_000_000)
        public var segmentSeconds = 2.0
        /// The alpha: one job per this many segments, five transactions of `alphaGasPerTransaction` each.
        public var segmentsPerJob = 100
        public var alphaGasPerTransaction: UInt64 = 150_000
        /// How often the batch redeemer looks at its ticket book, in simulated seconds.
        public var checkSeconds = 60.0
        public var blockSeconds = 12.0
        public var policy = RedeemerPolicy()
        /// go-livepeer's `-maxGasPrice`: its redeemer holds winners while gas is above it (nil: redeems at once).
        public var goLivepeerMaxGasPrice: UInt256?
        public var chain = ChainConfig()
        public init() {}
    }

    /// One settlement strategy's totals.
    public struct Outcome: Sendable, Codable {
        public let strategy: String
        public let transactions: Int
        public let gasUsed: UInt64
        public let gasCost: UInt256
        public let feesPaid: UInt256
        /// gasCost ÷ feesPaid.
        public let gasShare: Double
        /// Coefficient of variation of orchestrators' income ÷ the EV they were paid (0 = everyone got exactly EV).
        public let incomeVariation: Double
        public let ticketsRedeemed: Int
        public let ticketsExpired: Int
        public let doubleRedemptions: Int
    }

    public struct Report: Sendable, Codable {
        public let parameters: Parameters
        public let medianGasPrice: UInt256
        public let faceValue: UInt256
        public let ticketsIssued: Int
        public let winners: Int
        public let totalFees: UInt256
        public let outcomes: [Outcome]
        /// One-ticket-per-transaction transactions ÷ the batch redeemer's.
        public let transactionReduction: Double
    }

    public let parameters: Parameters
    public let gas: GasPriceFeed

    public init(parameters: Parameters, gas: GasPriceFeed) {
        self.parameters = parameters
        self.gas = gas
    }

    /// A winning ticket, when it won and which orchestrator holds it.
    struct Win {
        let winner: PendingWinner
        let time: Double
        let orchestrator: Int
    }

    public func run() throws -> Report {
        let p = parameters
        var random = SplitMix64(seed: p.seed)
        let median = gas.median
        let singleCost = try UInt256(p.chain.redemptionGas(tickets: 1)) * median
        let faceValue = max(try singleCost * UInt256(100), try p.ticketEV * UInt256(2))
        let winProb = try TicketLottery.winProb(expectedValue: p.ticketEV, faceValue: faceValue)
        let broadcasterKeys = try (0..<p.broadcasters).map { index in
            try PrivateKey(bytes: Keccak256.hash(Array("broadcaster \(index) \(p.seed)".utf8)).bytes)
        }
        let orchestratorAddresses = (0..<p.orchestrators).map { index in
            (try? PrivateKey(bytes: Keccak256.hash(Array("orchestrator \(index) \(p.seed)".utf8)).bytes).address) ?? .zero
        }
        let ticketsPerSegment = Int((try UInt256.mulDiv(p.feePerSegment, .one, p.ticketEV, rounding: .up)).uint64Value ?? 1)

        // The workload: broadcasters stream in parallel; each segment goes to a random orchestrator and is paid
        // with real tickets; only winners (decided by the real rule) are kept.
        var genesis = ChainState(config: p.chain)
        // Round block hashes are a function of block numbers alone, so a scratch chain gives them up front.
        var clock = ChainState(config: p.chain)
        advance(&clock, to: Double(p.segments / p.broadcasters + 1) * p.segmentSeconds)
        var wins: [Win] = []
        var expectedIncome = [UInt256](repeating: .zero, count: p.orchestrators)
        var issued = 0
        var nonce: UInt32 = 0
        // A broadcaster stays with one orchestrator for a job (`segmentsPerJob` segments), then picks another.
        var sessions: [Int: Int] = [:]
        for segment in 0..<p.segments {
            let broadcaster = segment % p.broadcasters
            let time = Double(segment / p.broadcasters) * p.segmentSeconds
            let job = (segment / p.broadcasters) / p.segmentsPerJob * p.broadcasters + broadcaster
            let orchestrator = sessions[job] ?? random.below(p.orchestrators)
            sessions[job] = orchestrator
            let round = Int64(time / p.blockSeconds) / Int64(p.chain.blocksPerRound)
            let rand = UInt256(random.next())
            for _ in 0..<ticketsPerSegment {
                nonce &+= 1
                let ticket = Ticket(
                    recipient: orchestratorAddresses[orchestrator], sender: broadcasterKeys[broadcaster].address,
                    faceValue: faceValue, winProb: winProb, senderNonce: nonce,
                    recipientRandHash: TicketLottery.recipientRandHash(rand), creationRound: round,
                    creationRoundBlockHash: clock.roundBlockHashes[round] ?? .zero)
                let sig = try broadcasterKeys[broadcaster].signMessage(ticket.hash.bytes).bytes
                issued += 1
                expectedIncome[orchestrator] = (try? expectedIncome[orchestrator] + p.ticketEV) ?? .max
                if TicketLottery.isWinning(sig: sig, recipientRand: rand, winProb: winProb) {
                    wins.append(Win(winner: PendingWinner(signed: SignedTicket(ticket: ticket, sig: sig, recipientRand: rand)),
                                    time: time, orchestrator: orchestrator))
                }
            }
        }
        // Genesis: ETH for everyone, funds for broadcasters, stake so every orchestrator is active.
        let perBroadcaster = try faceValue * UInt256(UInt64(wins.count + 10))
        for key in broadcasterKeys {
            _ = genesis.execute(.mint(to: key.address, amount: try perBroadcaster * UInt256(3)), from: key.address, gasPrice: .zero)
            _ = genesis.execute(.fundDeposit(perBroadcaster), from: key.address, gasPrice: .zero)
            _ = genesis.execute(.fundReserve(perBroadcaster), from: key.address, gasPrice: .zero)
        }
        for (index, address) in orchestratorAddresses.enumerated() {
            _ = genesis.execute(.mint(to: address, amount: try faceValue * UInt256(1_000)), from: address, gasPrice: .zero)
            _ = genesis.execute(.registerTranscoder(rewardCut: 100_000, feeShare: 500_000), from: address, gasPrice: .zero)
            _ = genesis.execute(.stake(delegator: address, transcoder: address, amount: UInt256(UInt64(1_000 + index))),
                                from: address, gasPrice: .zero)
        }
        let endOfWork = Double(p.segments / p.broadcasters + 1) * p.segmentSeconds
        let totalFees = try p.feePerSegment * UInt256(UInt64(p.segments))
        let outcomes = [
            alpha(endOfWork: endOfWork, totalFees: totalFees),
            try onePerTransaction(wins, genesis: genesis, orchestrators: orchestratorAddresses, expected: expectedIncome, endOfWork: endOfWork),
            try batched(wins, genesis: genesis, orchestrators: orchestratorAddresses, expected: expectedIncome, endOfWork: endOfWork,
                        policy: p.policy),
            try batched(wins, genesis: genesis, orchestrators: orchestratorAddresses, expected: expectedIncome, endOfWork: endOfWork,
                        policy: RedeemerPolicy(maxCostShare: 1_000_000, maxBatch: p.policy.maxBatch, minBatch: p.policy.minBatch),
                        name: "batch redeemer, not waiting for cheap gas"),
        ]
        return Report(parameters: p, medianGasPrice: median, faceValue: faceValue, ticketsIssued: issued, winners: wins.count,
                      totalFees: totalFees, outcomes: outcomes,
                      transactionReduction: Double(outcomes[1].transactions) / Double(max(1, outcomes[2].transactions)))
    }

    /// The alpha: every job settles on chain with five transactions; everyone is paid exactly.
    func alpha(endOfWork: Double, totalFees: UInt256) -> Outcome {
        let perBroadcaster = (parameters.segments + parameters.broadcasters - 1) / parameters.broadcasters
        let jobs = parameters.broadcasters * ((perBroadcaster + parameters.segmentsPerJob - 1) / parameters.segmentsPerJob)
        var cost = UInt256.zero
        for job in 0..<jobs {
            let time = endOfWork * Double(job + 1) / Double(jobs)
            let price = gas.price(at: time)
            cost = (try? cost + UInt256(parameters.alphaGasPerTransaction * 5) * price) ?? .max
        }
        return Outcome(strategy: "alpha: 5 transactions per job", transactions: jobs * 5,
                       gasUsed: parameters.alphaGasPerTransaction * 5 * UInt64(jobs), gasCost: cost, feesPaid: totalFees,
                       gasShare: cost.doubleValue / max(1, totalFees.doubleValue), incomeVariation: 0,
                       ticketsRedeemed: 0, ticketsExpired: 0, doubleRedemptions: 0)
    }

    /// go-livepeer: each winner redeemed alone, when it wins, at that moment's gas price; with `-maxGasPrice`, held
    /// while gas is above it and redeemed (alone, each) once it falls, unless it expired meanwhile.
    func onePerTransaction(_ wins: [Win], genesis: ChainState, orchestrators: [Address], expected: [UInt256], endOfWork: Double) throws -> Outcome {
        var chain = genesis
        var ledger = Tally(orchestrators: orchestrators.count)
        guard let cap = parameters.goLivepeerMaxGasPrice else {
            for win in wins.sorted(by: { $0.time < $1.time }) {
                advance(&chain, to: win.time)
                let receipt = chain.execute(.redeem([win.winner.signed]), from: orchestrators[win.orchestrator], gasPrice: gas.price(at: win.time))
                ledger.record(receipt, orchestrator: win.orchestrator)
            }
            return ledger.outcome("one ticket per transaction (go-livepeer)", chain: chain, expected: expected)
        }
        var queue = wins.sorted { $0.time < $1.time }[...]
        var held: [Win] = []
        let validitySeconds = Double(parameters.chain.ticketValidityRounds) * Double(parameters.chain.blocksPerRound) * parameters.blockSeconds
        var time = 0.0
        while time <= endOfWork + validitySeconds + parameters.checkSeconds {
            while let next = queue.first, next.time <= time {
                held.append(next)
                queue = queue.dropFirst()
            }
            advance(&chain, to: time)
            let price = gas.price(at: time)
            if price <= cap {
                for win in held {
                    let round = win.winner.ticket.creationRound
                    if round + parameters.chain.ticketValidityRounds <= chain.round {
                        ledger.expired += 1
                        continue
                    }
                    ledger.record(chain.execute(.redeem([win.winner.signed]), from: orchestrators[win.orchestrator], gasPrice: price),
                                  orchestrator: win.orchestrator)
                }
                held.removeAll()
            }
            if queue.isEmpty && held.isEmpty { break }
            time += parameters.checkSeconds
        }
        ledger.expired += held.count + queue.count
        return ledger.outcome("go-livepeer, held while gas > \(cap.doubleValue / 1e9) gwei", chain: chain, expected: expected)
    }

    /// The batch redeemer: every `checkSeconds`, each orchestrator plans against its ticket book and the gas
    /// price, until every winner is redeemed or expired.
    func batched(_ wins: [Win], genesis: ChainState, orchestrators: [Address], expected: [UInt256],
                 endOfWork: Double, policy: RedeemerPolicy, name: String? = nil) throws -> Outcome {
        var chain = genesis
        var ledger = Tally(orchestrators: orchestrators.count)
        let redeemer = Redeemer(policy: policy)
        var book = [[PendingWinner]](repeating: [], count: orchestrators.count)
        var queue = wins.sorted { $0.time < $1.time }[...]
        let validitySeconds = Double(parameters.chain.ticketValidityRounds) * Double(parameters.chain.blocksPerRound) * parameters.blockSeconds
        var time = 0.0
        while time <= endOfWork + validitySeconds + parameters.checkSeconds {
            while let next = queue.first, next.time <= time {
                book[next.orchestrator].append(next.winner)
                queue = queue.dropFirst()
            }
            advance(&chain, to: time)
            let price = gas.price(at: time)
            for index in book.indices where !book[index].isEmpty {
                let plan = redeemer.plan(book[index], claimant: orchestrators[index], chain: chain, gasPrice: price)
                var resolved = Set(plan.expired.map(\.hash)).union(plan.alreadyUsed.map(\.hash))
                ledger.expired += plan.expired.count
                if !plan.batch.isEmpty {
                    let receipt = chain.execute(.redeem(plan.batch.map(\.signed)), from: orchestrators[index], gasPrice: price)
                    ledger.record(receipt, orchestrator: index)
                    resolved.formUnion(plan.batch.map(\.hash))
                }
                book[index].removeAll { resolved.contains($0.hash) }
            }
            if queue.isEmpty && book.allSatisfy(\.isEmpty) { break }
            // After the work ends nothing new arrives: look less often.
            time += time > endOfWork ? parameters.checkSeconds * 10 : parameters.checkSeconds
        }
        return ledger.outcome(name ?? "batch redeemer (≤ \(Double(policy.maxCostShare) / 10_000)% gas)", chain: chain,
                              expected: expected)
    }

    func advance(_ chain: inout ChainState, to seconds: Double) {
        let target = UInt64(seconds / parameters.blockSeconds)
        if target > chain.block { chain.advance(blocks: target - chain.block) }
    }
}

/// Running totals of one strategy.
struct Tally {
    var transactions = 0
    var gasUsed: UInt64 = 0
    var gasCost = UInt256.zero
    var paid = UInt256.zero
    var redeemed = 0
    var expired = 0
    var double = 0
    var income: [UInt256]
    var gasPaid: [UInt256]
    var seen: Set<Hash32> = []

    init(orchestrators: Int) {
        income = Array(repeating: .zero, count: orchestrators)
        gasPaid = Array(repeating: .zero, count: orchestrators)
    }

    mutating func record(_ receipt: ChainReceipt, orchestrator: Int) {
        guard receipt.accepted else { return }
        transactions += 1
        gasUsed += receipt.gasUsed
        gasCost = (try? gasCost + receipt.gasCost) ?? .max
        gasPaid[orchestrator] = (try? gasPaid[orchestrator] + receipt.gasCost) ?? .max
        for redemption in receipt.redemptions where redemption.rejection == nil {
            if !seen.insert(redemption.ticketHash).inserted { double += 1 }
            redeemed += 1
            paid = (try? paid + redemption.paid) ?? .max
            income[orchestrator] = (try? income[orchestrator] + redemption.paid) ?? .max
        }
    }

    func outcome(_ name: String, chain: ChainState, expected: [UInt256]) -> SettlementSimulation.Outcome {
        var ratios: [Double] = []
        for index in income.indices where !expected[index].isZero {
            ratios.append((income[index].doubleValue - gasPaid[index].doubleValue) / expected[index].doubleValue)
        }
        let mean = ratios.reduce(0, +) / Double(max(1, ratios.count))
        let variance = ratios.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, ratios.count))
        return SettlementSimulation.Outcome(
            strategy: name, transactions: transactions, gasUsed: gasUsed, gasCost: gasCost, feesPaid: paid,
            gasShare: gasCost.doubleValue / max(1, paid.doubleValue),
            incomeVariation: mean != 0 ? variance.squareRoot() / abs(mean) : 0,
            ticketsRedeemed: redeemed, ticketsExpired: expired, doubleRedemptions: double + (chain.usedTickets.count < redeemed ? 1 : 0))
    }
}
