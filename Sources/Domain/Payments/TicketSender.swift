public import EthCrypto
import Synchronization

/// A broadcaster's limits on what it pays with: go-livepeer's defaults (max ticket EV 3e12 wei, max total EV
/// per payment 2e13 wei, deposit multiplier 1) and the 2% by which it over-estimates a segment's pixels.
public struct SenderLimits: Sendable, Hashable {
    public var maxTicketEV: UInt256
    public var maxTotalEV: UInt256
    public var depositMultiplier: UInt64
    public var pixelOverestimatePercent: UInt64

    public init(maxTicketEV: UInt256 = UInt256(3_000_000_000_000), maxTotalEV: UInt256 = UInt256(20_000_000_000_000),
                depositMultiplier: UInt64 = 1, pixelOverestimatePercent: UInt64 = 2) {
        self.maxTicketEV = maxTicketEV
        self.maxTotalEV = maxTotalEV
        self.depositMultiplier = depositMultiplier
        self.pixelOverestimatePercent = pixelOverestimatePercent
    }
}

/// The broadcaster's side: checks a recipient's params against its limits and funds, works out how many
/// tickets a segment needs from its pixels, price and current credit — ceil((max(fee, EV) − credit) / EV),
/// so the orchestrator always holds at least one EV of credit — and signs them with fresh nonces.
/// Nonces and credit change atomically and only when the whole payment is built.
public final class TicketSender: Sendable {
    private let key: PrivateKey
    public let address: Address
    public let limits: SenderLimits
    private let state = Mutex(SenderState())

    private struct SenderState {
        /// Last nonce used per recipientRandHash.
        var nonces: [Hash32: UInt32] = [:]
        /// Credit (wei) left over per session from earlier payments.
        var credit: [String: UInt256] = [:]
    }

    public init(key: PrivateKey, limits: SenderLimits = SenderLimits()) {
        self.key = key
        address = key.address
        self.limits = limits
    }

    /// The credit this sender believes it holds with a session.
    public func credit(session: String) -> UInt256 { state.withLock { $0.credit[session] ?? .zero } }

    /// A payment for a segment of `pixels` at `price` under `params`, with one `ticket.issued` event per ticket.
    public func pay(session: String, params: TicketParams, price: PriceInfo, pixels: UInt64, deposit: UInt256,
                    reserve: UInt256, currentBlock: UInt64, segmentSeq: UInt64? = nil) throws(PaymentError) -> SenderPayment {
        try checkFunds(params: params, deposit: deposit, reserve: reserve, currentBlock: currentBlock)
        let ev = params.expectedValue
        let estimated = (try? UInt256.mulDiv(UInt256(pixels), UInt256(100 + limits.pixelOverestimatePercent), UInt256(100), rounding: .up)) ?? .max
        guard let estimatedPixels = estimated.uint64Value else { throw .arithmetic("pixel estimate overflows") }
        let fee = try price.fee(pixels: estimatedPixels)

        let plan: (count: Int, firstNonce: UInt32) = try state.withLock { (state) throws(PaymentError) in
            let credit = state.credit[session] ?? .zero
            // Enough for the fee, and never less than one ticket's EV: an orchestrator refuses a segment while
            // the sender's credit with it is below one EV (go-livepeer's SufficientBalance), so the sender stages
            // max(fee, EV) as go-livepeer's StageUpdate(minCredit, ev) does.
            let minCredit = max(fee, ev)
            var count = 0
            if minCredit > credit {
                let needed = (try? minCredit - credit) ?? .zero
                guard let tickets = (try? UInt256.mulDiv(needed, .one, ev, rounding: .up))?.uint64Value,
                      tickets <= UInt64(UInt32.max) else { throw .arithmetic("ticket count overflows") }
                count = Int(tickets)
            }
            let total = (try? UInt256(UInt64(count)) * ev) ?? .max
            guard total <= limits.maxTotalEV else {
                throw .totalExpectedValueAboveMaximum(total: total.description, max: limits.maxTotalEV.description)
            }
            let last = state.nonces[params.recipientRandHash] ?? 0
            guard UInt64(last) + UInt64(count) <= UInt64(UInt32.max) else { throw .nonceSpaceExhausted }
            state.nonces[params.recipientRandHash] = last + UInt32(count)
            state.credit[session] = (try? (credit + total) - fee) ?? .zero
            return (count, last + 1)
        }

        var senderParams: [TicketSenderParams] = []
        var events: [PaymentEvent] = []
        senderParams.reserveCapacity(plan.count)
        for offset in 0..<plan.count {
            let nonce = plan.firstNonce + UInt32(offset)
            let ticket = params.ticket(sender: address, senderNonce: nonce)
            let hash = ticket.hash
            let sig: [UInt8]
            do { sig = try key.signMessage(hash.bytes).bytes } catch { throw .arithmetic("signing failed: \(error)") }
            senderParams.append(TicketSenderParams(senderNonce: nonce, sig: sig))
            events.append(.ticketIssued(SignedTicket(ticket: ticket, sig: sig), hash: hash, expectedValue: ev, segmentSeq: segmentSeq))
        }
        let payment = Payment(sender: address, ticketParams: params, senderParams: senderParams, expectedPrice: price)
        return SenderPayment(payment: payment, events: events, fee: fee)
    }

    /// The sender's checks on params before it signs anything.
    public func checkFunds(params: TicketParams, deposit: UInt256, reserve: UInt256, currentBlock: UInt64) throws(PaymentError) {
        guard !deposit.isZero else { throw .noDeposit }
        guard !reserve.isZero else { throw .noReserve }
        guard currentBlock <= params.expirationBlock else {
            throw .paramsExpired(expirationBlock: params.expirationBlock, currentBlock: currentBlock)
        }
        let ev = params.expectedValue
        guard ev < params.faceValue else { throw .expectedValueNotBelowFaceValue }
        guard ev <= limits.maxTicketEV else {
            throw .expectedValueAboveMaximum(ev: ev.description, max: limits.maxTicketEV.description)
        }
        let allowed = (try? deposit / UInt256(max(1, limits.depositMultiplier))) ?? .zero
        guard params.faceValue <= allowed else {
            throw .faceValueAboveDepositShare(faceValue: params.faceValue.description, allowed: allowed.description)
        }
        guard !ev.isZero else { throw .arithmetic("ticket EV is zero") }
    }
}

/// A built payment, the `ticket.issued` events that record it, and the fee it was sized for.
public struct SenderPayment: Sendable {
    public let payment: Payment
    public let events: [PaymentEvent]
    public let fee: UInt256
}
