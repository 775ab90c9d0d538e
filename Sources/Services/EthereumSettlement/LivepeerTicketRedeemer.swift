import EthABI
public import EthCrypto
public import EthereumRPC
import LivepeerABI
public import Payments

/// Cashes an orchestrator's winning tickets on Livepeer's TicketBroker. Each ticket is first tried alone with
/// `eth_estimateGas` of `redeemWinningTicket` from the orchestrator: a revert is its typed refusal, a success its gas.
/// The rest go in one `batchRedeemWinningTickets` whose gas limit is the sum of those single estimates — never the
/// batch's own estimate, because a ticket that fails inside a batch does not revert it, so an estimate can silently
/// price some tickets out. After the receipt the `WinningTicketRedeemed` logs say which tickets were paid, and the
/// `WinningTicketTransfer` log before each says how much (deposit and reserve together; `ReserveClaimed` only tells
/// the reserve's part); an unpaid ticket is diagnosed with an
/// `eth_call` of `redeemWinningTicket`.
public struct LivepeerTicketRedeemer: Sendable {
    public let sender: TransactionSender
    public let reader: LivepeerReader
    /// The most tickets in one transaction.
    public let maxBatch: Int
    public let confirmations: UInt64
    public let replaceAfter: Duration
    public let receiptTimeout: Duration

    public init(sender: TransactionSender, reader: LivepeerReader, maxBatch: Int = 30, confirmations: UInt64 = 1,
                replaceAfter: Duration = .seconds(30), receiptTimeout: Duration = .seconds(600)) {
        self.sender = sender
        self.reader = reader
        self.maxBatch = max(1, maxBatch)
        self.confirmations = max(1, confirmations)
        self.replaceAfter = replaceAfter
        self.receiptTimeout = receiptTimeout
    }

    private var broker: Address { reader.deployment.ticketBroker }

    /// Whether the TicketBroker would pay `ticket` to this orchestrator now: its single-redemption gas, or its refusal.
    public func check(_ ticket: SignedTicket) async throws(EthereumSettlementError) -> TicketCheck {
        let data: [UInt8]
        do { data = try ticket.redeemCallData() } catch { throw .encoding("\(error)") }
        do {
            return .payable(gas: try await sender.estimateGas(to: broker, data: data, function: "redeemWinningTicket"))
        } catch {
            guard case .wouldRevert(_, let reason) = error else { throw error }
            return .refused(TicketRefusal(revertReason: reason))
        }
    }

    /// Redeems up to `maxBatch` of `tickets` in one transaction (the rest are left for the next pass, untouched).
    /// Refused tickets are reported without being sent; if none can be paid, nothing is sent.
    public func redeem(_ tickets: [SignedTicket]) async throws(EthereumSettlementError) -> RedemptionResult {
        var result = RedemptionResult()
        var eligible: [(ticket: SignedTicket, gas: UInt64)] = []
        var seen = Set<Hash32>()
        for ticket in tickets where seen.insert(ticket.ticket.hash).inserted {
            guard eligible.count < maxBatch else { break }
            switch try await check(ticket) {
            case .payable(let gas): eligible.append((ticket, gas))
            case .refused(let refusal): result.outcomes[ticket.ticket.hash] = .refused(refusal)
            }
        }
        guard !eligible.isEmpty else { return result }
        let batch = eligible.map(\.ticket)
        let data: [UInt8]
        do { data = eligible.count == 1 ? try batch[0].redeemCallData() : try batch.batchRedeemCallData() } catch { throw .encoding("\(error)") }
        result.gasLimit = eligible.reduce(0) { $0 + $1.gas }
        let sent = try await sender.send(to: broker, data: data, gasLimit: result.gasLimit)
        let (receipt, _) = try await sender.waitForReceipt(sent, confirmations: confirmations, replaceAfter: replaceAfter, timeout: receiptTimeout)
        result.receipt = receipt
        let paid = Self.paidTickets(in: receipt, broker: broker)
        for ticket in batch {
            let hash = ticket.ticket.hash
            if let amount = paid[Self.key(ticket.ticket.sender, UInt256(UInt64(ticket.ticket.senderNonce)), ticket.recipientRand ?? .zero)] {
                result.outcomes[hash] = .paid(amount: amount, transaction: receipt.transactionHash)
                continue
            }
            // Not paid: ask the contract why, as if it were redeemed alone now.
            switch try await check(ticket) {
            case .refused(let refusal): result.outcomes[hash] = .refused(refusal)
            case .payable: result.outcomes[hash] = .retry(receipt.succeeded ? "skipped inside the batch" : "the transaction reverted")
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
