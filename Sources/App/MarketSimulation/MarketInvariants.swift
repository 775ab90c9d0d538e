public import EthCrypto
import EventModel
import Orchestrator
import Payments
import Projections
import Scheduling
import Settlement

/// What must hold in the simulated market, after every step and at the end of a run.
public enum MarketInvariant: String, Sendable, Codable, CaseIterable {
    /// Every log's hash chain holds, and every stored event passed its schema.
    case logIntact = "log-intact"
    /// A segment the broadcaster got a verified result for is charged in the deliverer's durable log (money is durable
    /// before it is acknowledged).
    case acknowledgedSegmentDurable = "acknowledged-segment-durable"
    /// No orchestrator charges one segment of one stream twice.
    case segmentChargedOnce = "segment-charged-once"
    /// No ticket (recipientRand, nonce) is credited twice.
    case ticketCreditedOnce = "ticket-credited-once"
    /// No winning ticket is redeemed twice, on the chain or in the logs.
    case winnerRedeemedOnce = "winner-redeemed-once"
    /// Every winning ticket is redeemed by the end (none left pending, none expired).
    case winnerRedeemedEventually = "winner-redeemed-eventually"
    /// The chain's balances, deposits, reserves and stakes add up to what was minted, less gas burned.
    case chainConserved = "chain-conserved"
    /// The logs' fee ledgers equal the chain's, to the wei, per orchestrator.
    case feesReconcile = "fees-reconcile"
    /// Replaying an orchestrator's log rebuilds the ledger and scheduler the running node holds.
    case replayRebuildsState = "replay-rebuilds-state"
    /// What each sender's deposit and reserve lost on the chain is what the logs say was redeemed from them.
    case depositsAccounted = "deposits-accounted"
}

/// An invariant that did not hold: in which run, at which step, and what was found.
public struct MarketViolation: Error, Sendable, Codable, Equatable, CustomStringConvertible {
    public let seed: UInt64
    public let step: Int
    public let invariant: MarketInvariant
    public let detail: String

    public var description: String {
        "seed \(seed): \(invariant.rawValue) violated at step \(step): \(detail)\n  replay: streamflow simulate market --seed \(seed)"
    }
}

/// The checks, over the market's logs and chain. Each returns the first thing wrong it finds (nil when all holds). The
/// per-step checks fold each log incrementally (what is durable never changes), so a step costs what it appended; the
/// end of a run also replays every log from its first event.
final class MarketChecks {
    let orchestrators: [SimulatedOrchestrator]
    let broadcasterStores: [MemoryEventStore]
    let chain: SimulatedChain
    private var trackers: [Tracker]
    /// Face value the logs say was redeemed from each sender, and the winners recorded expired.
    private var paidBySender: [Address: UInt256] = [:]
    private var expired: [Hash32] = []
    /// Winners and redemptions recorded in the orchestrators' logs so far.
    var winners: Int { trackers.reduce(0) { $0 + $1.winners } }
    var redeemed: Int { trackers.reduce(0) { $0 + $1.redeemed.count } }

    /// One orchestrator's log as folded so far (its payments ledger is the store's own fold, kept as it appends).
    struct Tracker {
        var applied: UInt64 = 0
        var winners = 0
        var scheduling: [String: SchedulerState] = [:]
        var charged: Set<String> = []
        var credited: Set<String> = []
        var redeemed: Set<Hash32> = []
    }

    init(orchestrators: [SimulatedOrchestrator], broadcasterStores: [MemoryEventStore], chain: SimulatedChain) {
        self.orchestrators = orchestrators
        self.broadcasterStores = broadcasterStores
        self.chain = chain
        trackers = orchestrators.map { _ in Tracker() }
    }

    /// Whether orchestrator `index`'s log charges `sender` for segment `seq` of `stream`.
    func charged(orchestrator index: Int, sender: Address, stream: String, seq: Int64) -> Bool {
        trackers[index].charged.contains("\(sender.checksummed)/\(stream)/\(seq)")
    }

    /// After every step: the logs took every event, the chain's money adds up, replay equals the live state, and nothing
    /// is charged, credited or redeemed twice. `full` also re-hashes every log's chain and replays each from its start.
    func everyStep(full: Bool) throws -> (MarketInvariant, String)? {
        for (index, store) in (orchestrators.map(\.store) + broadcasterStores).enumerated() {
            if full, let broken = store.chainBreak() { return (.logIntact, "log \(index) breaks at record \(broken)") }
            if store.failureCount > 0 { return (.logIntact, "log \(index) refused an event: \(store.lastFailure ?? "")") }
        }
        if !chain.state.isConserved { return (.chainConserved, "the chain's money does not add up") }
        let used = chain.state.usedTickets
        for (index, orchestrator) in orchestrators.enumerated() {
            if let found = fold(index) { return found }
            let me = orchestrator.address.checksummed
            if let node = orchestrator.node {
                let tracker = trackers[index]
                let folded = try orchestrator.store.paymentsLedger()
                if folded != node.intake.recipient.ledger {
                    let differences = node.intake.recipient.ledger.differences(from: folded, limit: 3).joined(separator: "; ")
                    return (.replayRebuildsState, "\(me): the live payments ledger is not the log's: \(differences)")
                }
                if (tracker.scheduling[me] ?? SchedulerState()) != node.pool.snapshot {
                    return (.replayRebuildsState, "\(me): the live scheduler is not the log's")
                }
            }
            if full {
                let replayed = try orchestrator.store.replay(PaymentsLedgerProjection())
                if replayed != (try orchestrator.store.paymentsLedger()) { return (.replayRebuildsState, "\(me): a replay from the start differs") }
            }
            for hash in trackers[index].redeemed where !used.contains(hash) {
                return (.winnerRedeemedOnce, "ticket \(hash.hex) recorded redeemed but unused on the chain")
            }
        }
        var seen: Set<Hash32> = []
        for tracker in trackers {
            for hash in tracker.redeemed where !seen.insert(hash).inserted {
                return (.winnerRedeemedOnce, "ticket \(hash.hex) redeemed by two orchestrators")
            }
        }
        return nil
    }

    /// Folds orchestrator `index`'s new records; a charge, a credit or a redemption seen twice is a violation.
    private func fold(_ index: Int) -> (MarketInvariant, String)? {
        let orchestrator = orchestrators[index]
        let me = orchestrator.address.checksummed
        let records = orchestrator.store.records(from: trackers[index].applied + 1)
        var tracker = trackers[index]
        defer { trackers[index] = tracker }
        for record in records {
            tracker.applied = record.sequence
            SchedulingProjection().apply(&tracker.scheduling, record)
            guard let event = PaymentEvent(envelope: record.envelope) else { continue }
            switch event {
            case .feeDebited(let debit):
                let key = "\(debit.sender.checksummed)/\(record.envelope.keys.stream ?? "")/\(debit.segmentSeq)"
                guard tracker.charged.insert(key).inserted else {
                    return (.segmentChargedOnce, "\(me) charged \(key) twice (event \(record.envelope.id))")
                }
            case .paymentReceived(let payment):
                for ticket in payment.tickets {
                    let key = "\(payment.terms.recipientRandHash.hex)/\(ticket.senderNonce)"
                    guard tracker.credited.insert(key).inserted else {
                        return (.ticketCreditedOnce, "\(me) credited ticket \(key) twice (event \(record.envelope.id))")
                    }
                }
            case .ticketRedeemed(let sender, _, let hash, let faceValue, _):
                guard tracker.redeemed.insert(hash).inserted else {
                    return (.winnerRedeemedOnce, "ticket \(hash.hex) recorded redeemed twice")
                }
                paidBySender[sender] = (try? (paidBySender[sender] ?? .zero) + faceValue) ?? .max
            case .ticketWon: tracker.winners += 1
            case .ticketExpired(_, _, let hash, _, _): expired.append(hash)
            default: continue
            }
        }
        return nil
    }

    /// At the end: every winner redeemed, the fee ledgers equal to the chain's, the deposits accounted for.
    func atEnd(senders: [Address], genesis: ChainState) throws -> (MarketInvariant, String)? {
        if let found = try everyStep(full: true) { return found }
        if let hash = expired.first { return (.winnerRedeemedEventually, "winner \(hash.hex) expired unpaid") }
        var fees = FeeLedgerProjection().initialState
        for orchestrator in orchestrators {
            let ledger = try orchestrator.store.paymentsLedger()
            if let winner = ledger.pending.values.first(where: { $0.recipient == orchestrator.address.checksummed }) {
                return (.winnerRedeemedEventually, "\(orchestrator.address.checksummed) still holds winner \(winner.ticket.prefix(80))…")
            }
            for record in orchestrator.store.records { FeeLedgerProjection().apply(&fees, record) }
        }
        let differences = FeeReconciliation.differences(log: FeeReport(ledger: fees, by: .orchestrator),
                                                        chain: FeeReport(chain: chain.state, by: .orchestrator))
        if let first = differences.first { return (.feesReconcile, first) }
        let state = chain.state
        for sender in senders {
            let before = genesis.sender(sender), after = state.sender(sender)
            let spent = (try? ((before.deposit + before.reserve) - (after.deposit + after.reserve))) ?? .max
            let paid = paidBySender[sender] ?? .zero
            if spent != paid { return (.depositsAccounted, "\(sender.checksummed) lost \(spent) wei on the chain, the logs redeemed \(paid)") }
        }
        return nil
    }
}
