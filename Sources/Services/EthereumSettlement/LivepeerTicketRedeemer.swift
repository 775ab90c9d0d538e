import EthABI
public import EthCrypto
public import EthereumRPC
import LivepeerABI
public import Payments

/// Cashes an orchestrator's winning tickets on Livepeer's TicketBroker. Each ticket is first tried alone with an
/// `eth_call` of `redeemWinningTicket` from the orchestrator: a revert is its typed refusal. The payable ones go in one
/// `batchRedeemWinningTickets` whose gas limit is sized from a single-ticket `eth_estimateGas` (the first ticket, which
/// pays the cold-storage costs the others share) times the count, capped by `maxGasLimit` — never the batch's own
/// estimate, because a ticket that fails inside a batch does not revert it, so an estimate can silently price some
/// tickets out. After the receipt the `WinningTicketRedeemed` logs say which tickets were paid, and the
/// `WinningTicketTransfer` log before each says how much (deposit and reserve together; `ReserveClaimed` only tells
/// the reserve's part); a ticket the batch skipped is diagnosed with another `eth_call`.
public struct LivepeerTicketRedeemer: Sendable {
    public let sender: TransactionSender
    public let reader: LivepeerReader
    /// The most tickets in one transaction.
    public let maxBatch: Int
    public let confirmations: UInt64
    public let replaceAfter: Duration
    public let receiptTimeout: Duration
    /// The most gas one redemption transaction may ask for (below the chain's block gas limit).
    public let maxGasLimit: UInt64

    public init(sender: TransactionSender, reader: LivepeerReader, maxBatch: Int = 30, confirmations: UInt64 = 1,
                replaceAfter: Duration = .seconds(30), receiptTimeout: Duration = .seconds(600), maxGasLimit: UInt64 = 20_000_000) {
        self.sender = sender
        self.reader = reader
        self.maxBatch = max(1, maxBatch)
        self.confirmations = max(1, confirmations)
        self.replaceAfter = replaceAfter
        self.receiptTimeout = receiptTimeout
        self.maxGasLimit = maxGasLimit
    }

    private var broker: Address { reader.deployment.ticketBroker }

    /// Whether the TicketBroker would pay `ticket` to this orchestrator now (an `eth_call` of `redeemWinningTicket`).
    public func check(_ ticket: SignedTicket) async throws(EthereumSettlementError) -> TicketCheck {
        do {
            _ = try await reader.view(LivepeerFunctions.TicketBroker.redeemWinningTicket, broker,
                                      [ticket.abiTuple, .bytes(ticket.sig), .uint(ticket.recipientRand ?? .zero)], from: sender.address)
            return .payable
        } catch {
            guard case .wouldRevert(_, let reason) = error else { throw error }
            return .refused(TicketRefusal(revertReason: reason))
        }
    }

    /// Redeems up to `maxBatch` of `tickets` in one transaction (the rest are left for the next pass, untouched).
    /// Refused tickets are reported without being sent; if none can be paid, nothing is sent. `journal` hears every
    /// signed version of the transaction, with its tickets, before it is broadcast (if it throws, nothing is sent).
    public func redeem(_ tickets: [SignedTicket],
                       journal: (@Sendable (SignedEIP1559Transaction, [SignedTicket]) async throws -> Void)? = nil)
        async throws(EthereumSettlementError) -> RedemptionResult {
        var result = RedemptionResult()
        var batch: [SignedTicket] = []
        var seen = Set<Hash32>()
        for ticket in tickets where seen.insert(ticket.ticket.hash).inserted {
            guard batch.count < maxBatch else { break }
            switch try await check(ticket) {
            case .payable: batch.append(ticket)
            case .refused(let refusal): result.outcomes[ticket.ticket.hash] = .refused(refusal)
            }
        }
        guard let first = batch.first else { return result }
        let single: UInt64, data: [UInt8]
        do {
            let firstData = try first.redeemCallData()
            single = try await sender.estimateGas(to: broker, data: firstData, function: "redeemWinningTicket")
            data = batch.count == 1 ? firstData : try batch.batchRedeemCallData()
        } catch let error as EthereumSettlementError {
            guard case .wouldRevert(_, let reason) = error else { throw error }
            // Refused between the check and the estimate (e.g. a new round): report it, leave the rest for the next pass.
            result.outcomes[first.ticket.hash] = .refused(TicketRefusal(revertReason: reason))
            return result
        } catch {
            throw .encoding("\(error)")
        }
        result.gasLimit = min(single * UInt64(batch.count), max(single, maxGasLimit))
        var batchJournal: TransactionSender.Journal?
        if let journal {
            let tickets = batch
            batchJournal = { @Sendable signed in try await journal(signed, tickets) }
        }
        let sent = try await sender.send(to: broker, data: data, gasLimit: result.gasLimit, journal: batchJournal)
        let (receipt, final) = try await sender.waitForReceipt(sent, confirmations: confirmations, replaceAfter: replaceAfter,
                                                               timeout: receiptTimeout, journal: batchJournal)
        result.versions = final.versions.map(\.hash)
        result.receipt = receipt
        result.batch = batch.map(\.ticket.hash)
        let paid = outcomes(of: receipt, batch: batch)
        result.outcomes.merge(paid) { _, new in new }
        result.outcomes.merge(try await diagnoseUnpaid(batch, receipt: receipt, paid: paid)) { _, new in new }
        return result
    }

    /// Every ticket of `batch` that `receipt` did not pay, diagnosed with an `eth_call` as if it were redeemed alone now:
    /// refused (for good or not yet), or payable and to be retried.
    public func diagnoseUnpaid(_ batch: [SignedTicket], receipt: EthereumReceipt,
                               paid: [Hash32: TicketOutcome]) async throws(EthereumSettlementError) -> [Hash32: TicketOutcome] {
        var result: [Hash32: TicketOutcome] = [:]
        for ticket in batch where paid[ticket.ticket.hash] == nil {
            switch try await check(ticket) {
            case .refused(let refusal): result[ticket.ticket.hash] = .refused(refusal)
            case .payable: result[ticket.ticket.hash] = .retry(receipt.succeeded ? "skipped inside the batch" : "the transaction reverted")
            }
        }
        return result
    }

    /// The tickets of `batch` that `receipt` paid, with what each paid.
    public func outcomes(of receipt: EthereumReceipt, batch: [SignedTicket]) -> [Hash32: TicketOutcome] {
        var result: [Hash32: TicketOutcome] = [:]
        let paid = Self.paidTickets(in: receipt, broker: broker)
        for ticket in batch {
            let hash = ticket.ticket.hash
            if let amount = paid[Self.key(ticket.ticket.sender, UInt256(UInt64(ticket.ticket.senderNonce)), ticket.recipientRand ?? .zero)] {
                result[hash] = .paid(amount: amount, transaction: receipt.transactionHash)
            }
        }
        return result
    }

    /// (sender, senderNonce, recipientRand) → amount paid, from a receipt's TicketBroker logs.
    static func paidTickets(in receipt: EthereumReceipt, broker: Address) -> [String: UInt256] {
        var paid: [String: UInt256] = [:]
        var amount = UInt256.zero
        for log in receipt.logs where log.address == broker && !log.topics.isEmpty {
            switch log.topics[0] {
            case LivepeerEvents.winningTicketTransfer.topic:
                if let value = try? LivepeerEvents.winningTicketTransfer.decode(topics: log.topics, data: log.data)[2].uint256 {
                    amount = (try? amount + value) ?? .max
                }
            case LivepeerEvents.winningTicketRedeemed.topic:
                guard let values = try? LivepeerEvents.winningTicketRedeemed.decode(topics: log.topics, data: log.data), values.count == 7,
                      let sender = values[0].addressValue, let nonce = values[4].uint256, let rand = values[5].uint256 else { continue }
                paid[key(sender, nonce, rand)] = amount
                amount = .zero
            default:
                continue
            }
        }
        return paid
    }

    private static func key(_ sender: Address, _ nonce: UInt256, _ rand: UInt256) -> String { "\(sender.lowercased)/\(nonce)/\(rand)" }
}
