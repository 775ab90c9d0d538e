public import EthCrypto
import JSONCore
import Synchronization

/// The orchestrator's side of the lottery: issues ticket params, validates payments and keeps the ledger.
/// Checks that need no state (`check`) may run on many threads; `admit` applies nonce rules and credit under
/// one lock and returns the events to append, already applied to the in-memory ledger.
public final class TicketRecipient: Sendable {
    public let validator: TicketValidator
    private let state: Mutex<RecipientLedger>

    /// Starts from `ledger`, which is normally the projection rebuilt from the log.
    public init(validator: TicketValidator, ledger: RecipientLedger = RecipientLedger()) {
        self.validator = validator
        state = Mutex(ledger)
    }

    public var address: Address { validator.recipient }
    public var ledger: RecipientLedger { state.withLock { $0 } }

    /// Takes into the live ledger a payment event that reached the log from elsewhere (an earlier run's event that was
    /// still in transit when it stopped): the same fold as the log's projection, so the two stay equal.
    public func absorb(_ event: PaymentEvent) { state.withLock { $0.apply(event) } }

    /// Replaces the in-memory ledger, e.g. with the log's projection after a failed append.
    public func reload(_ ledger: RecipientLedger) { state.withLock { $0 = ledger } }

    /// Takes a settlement outcome into the live ledger: a winner redeemed or expired is no longer pending (so it leaves
    /// the pending face value that bounds the next params' max float). Other events are the recipient's own; ignored.
    public func settle(_ event: PaymentEvent) {
        switch event {
        case .ticketRedeemed, .ticketExpired: state.withLock { $0.apply(event) }
        default: return
        }
    }

    /// Params for `sender`: face value from gas price and the sender's max float, winProb for the policy's EV,
    /// a recipientRand commitment derived from `seed`, valid for the policy's number of blocks.
    public func ticketParams(sender: Address, funds: SenderFunds, activeSetSize: Int, price: PriceInfo,
                             context: ValidationContext, seed: Hash32) throws(PaymentError) -> TicketParams {
        let pending = ledger.pendingFaceValue(recipient: address, sender: sender)
        let maxFloat = funds.maxFloat(pending: pending, activeSetSize: activeSetSize)
        let (faceValue, winProb) = try validator.policy.lottery(gasPrice: context.gasPrice, maxFloat: maxFloat)
        let expiration = TicketExpirationParams(
            creationRound: context.currentRound,
            creationRoundBlockHash: context.roundBlockHashes[context.currentRound] ?? .zero)
        let expirationBlock = context.currentBlock + validator.policy.paramsValidityBlocks
        let rand = validator.secret.recipientRand(
            seed: seed, sender: sender, faceValue: faceValue, winProb: winProb, expirationBlock: expirationBlock,
            price: price, auxData: expiration.auxData)
        return TicketParams(
            recipient: address, faceValue: faceValue, winProb: winProb,
            recipientRandHash: TicketLottery.recipientRandHash(rand), seed: seed, expirationBlock: expirationBlock,
            expirationParams: expiration)
    }

    /// Every stateless check of a payment; thread-safe and deterministic.
    public func check(_ payment: Payment, context: ValidationContext) -> PaymentCheck {
        switch validator.checkParams(payment, context: context) {
        case .failure(let rejection):
            return PaymentCheck(payment: payment, results: payment.tickets.map { _ in .failure(rejection) })
        case .success(let rand):
            let ev = payment.ticketParams.expectedValue
            var senderKey: PublicKeyXY?
            return PaymentCheck(payment: payment, results: payment.tickets.map {
                validator.checkTicket($0.ticket, sig: $0.sig, recipientRand: rand, expectedValue: ev, senderKey: &senderKey)
            })
        }
    }

    /// Applies nonce rules and credit to checked tickets, in order, under the ledger's lock. The accepted tickets
    /// become one `payment.received` event, each winner a `ticket.won`, each refusal a `ticket.rejected`.
    public func admit(_ check: PaymentCheck) -> ReceiveOutcome {
        let limit = validator.policy.maxNoncesPerRand
        let tickets = check.payment.tickets
        return state.withLock { ledger in
            var outcome = ReceiveOutcome()
            var accepted: [TicketSenderParams] = []
            var winners: [CheckedTicket] = []
            var seenHere = Set<UInt32>()
            let randHash = check.payment.ticketParams.recipientRandHash
            let used = ledger.nonces[randHash.hex]?.count ?? 0
            for (index, result) in check.results.enumerated() {
                let (ticket, sig) = tickets[index]
                switch result {
                case .failure(let rejection):
                    outcome.reject(ticket: ticket, hash: ticket.hash, rejection, into: &ledger)
                case .success(let checked):
                    if seenHere.contains(ticket.senderNonce) {
                        outcome.reject(ticket: ticket, hash: checked.hash,
                                       TicketRejection(.nonceReplayed, "nonce \(ticket.senderNonce) appears twice in this payment"),
                                       into: &ledger)
                        continue
                    }
                    if let rejection = ledger.nonceRejection(recipientRandHash: randHash, nonce: ticket.senderNonce, limit: limit)
                        ?? (used + accepted.count >= limit
                            ? TicketRejection(.tooManyNonces, "recipientRand already has \(used + accepted.count) nonces (limit \(limit))")
                            : nil) {
                        outcome.reject(ticket: ticket, hash: checked.hash, rejection, into: &ledger)
                        continue
                    }
                    seenHere.insert(ticket.senderNonce)
                    accepted.append(TicketSenderParams(senderNonce: ticket.senderNonce, sig: sig))
                    if checked.isWinning { winners.append(checked) }
                }
            }
            guard !accepted.isEmpty else { return outcome }
            let received = PaymentEvent.ReceivedPayment(
                terms: check.payment.ticketParams.ticket(sender: check.payment.sender, senderNonce: 0), tickets: accepted,
                expectedValue: check.payment.ticketParams.expectedValue)
            outcome.record(.paymentReceived(received), into: &ledger)
            outcome.accepted = accepted.count
            outcome.credited = received.credited
            for checked in winners {
                let signed = SignedTicket(ticket: checked.ticket, sig: checked.sig)
                outcome.record(.ticketWon(signed, hash: checked.hash, recipientRand: checked.recipientRand), into: &ledger)
            }
            outcome.winners = winners
            return outcome
        }
    }

    /// `check` then `admit`.
    public func receive(_ payment: Payment, context: ValidationContext) -> ReceiveOutcome {
        admit(check(payment, context: context))
    }

    /// The rejection event of a payment that could not be read at all; the ledger does not change.
    public func rejectUnreadable(detail: String) -> ReceiveOutcome {
        var outcome = ReceiveOutcome()
        outcome.rejections.append(TicketRejection(.malformed, detail))
        outcome.events.append(.ticketRejected(.init(sender: nil, recipient: address, ticketHash: nil, senderNonce: nil,
                                                    rejection: TicketRejection(.malformed, detail))))
        return outcome
    }

    /// Charges a segment: pixels × price, rounded up, against the sender's credit.
    public func charge(sender: Address, segmentSeq: UInt64, pixels: UInt64, price: PriceInfo) throws(PaymentError) -> PaymentEvent {
        let debit = PaymentEvent.FeeDebit(sender: sender, recipient: address, segmentSeq: segmentSeq, pixels: pixels,
                                          price: price, fee: try price.fee(pixels: pixels))
        let event = PaymentEvent.feeDebited(debit)
        state.withLock { $0.apply(event) }
        return event
    }
}

/// A payment after the stateless checks: one result per ticket, in payment order.
public struct PaymentCheck: Sendable {
    public let payment: Payment
    public let results: [Result<CheckedTicket, TicketRejection>]
}

/// What receiving a payment did: the events to append (already applied to the ledger), the EV credited, the
/// winners and the rejections.
public struct ReceiveOutcome: Sendable {
    public var events: [PaymentEvent] = []
    public var accepted = 0
    public var credited: UInt256 = .zero
    public var winners: [CheckedTicket] = []
    public var rejections: [TicketRejection] = []

    mutating func record(_ event: PaymentEvent, into ledger: inout RecipientLedger) {
        ledger.apply(event)
        events.append(event)
    }

    mutating func reject(ticket: Ticket, hash: Hash32, _ rejection: TicketRejection, into ledger: inout RecipientLedger) {
        rejections.append(rejection)
        record(.ticketRejected(.init(sender: ticket.sender, recipient: ticket.recipient, ticketHash: hash,
                                     senderNonce: ticket.senderNonce, rejection: rejection)), into: &ledger)
    }
}

extension TicketRecipient {
    /// Receives a payment as JSON bytes; unreadable JSON or fields become one `malformed` rejection.
    public func receive(json bytes: some Collection<UInt8>, context: ValidationContext) -> ReceiveOutcome {
        let payment: Payment
        do { payment = try Payment(json: JSONParser.parse(bytes)) } catch {
            return rejectUnreadable(detail: "\(error)")
        }
        return receive(payment, context: context)
    }
}
