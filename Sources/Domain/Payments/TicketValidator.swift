public import EthCrypto

/// A ticket that passed every stateless check: its hash, EV, whether it wins and the rand that proves it.
public struct CheckedTicket: Sendable, Hashable {
    public let ticket: Ticket
    public let sig: [UInt8]
    public let hash: Hash32
    public let expectedValue: UInt256
    public let recipientRand: UInt256
    public let isWinning: Bool
}

/// The recipient's stateless checks, safe to run on many threads at once: params (recipient, expiry, round,
/// winProb, face value against the transaction cost, recipientRand commitment) once per payment, then each
/// ticket's signature. Nonce replay is stateful and lives in `RecipientLedger`.
public struct TicketValidator: Sendable {
    public let recipient: Address
    public let secret: RecipientSecret
    public let policy: TicketPolicy

    public init(recipient: Address, secret: RecipientSecret, policy: TicketPolicy = TicketPolicy()) {
        self.recipient = recipient
        self.secret = secret
        self.policy = policy
    }

    /// Checks the params a payment carries; returns the recipientRand they commit to.
    public func checkParams(_ payment: Payment, context: ValidationContext) -> Result<UInt256, TicketRejection> {
        let params = payment.ticketParams
        guard params.recipient == recipient else {
            return .failure(.init(.wrongRecipient, "ticket is for \(params.recipient.checksummed), not \(recipient.checksummed)"))
        }
        guard context.currentBlock <= params.expirationBlock else {
            return .failure(.init(.paramsExpired, "params expired at block \(params.expirationBlock); current block is \(context.currentBlock)"))
        }
        if let rejection = checkRound(params.expirationParams, context: context) { return .failure(rejection) }
        guard !params.winProb.isZero else { return .failure(.init(.zeroWinProb, "winProb is zero")) }
        let cost = (try? policy.transactionCost(gasPrice: context.gasPrice)) ?? .max
        guard params.faceValue > cost else {
            return .failure(.init(.faceValueBelowTxCost, "face value \(params.faceValue) is at or below the transaction cost \(cost)"))
        }
        let rand = secret.recipientRand(for: params, sender: payment.sender, price: payment.expectedPrice)
        guard TicketLottery.recipientRandHash(rand) == params.recipientRandHash else {
            return .failure(.init(.paramsMismatch, "recipientRandHash was not issued by this recipient for these params"))
        }
        return .success(rand)
    }

    private func checkRound(_ expiration: TicketExpirationParams, context: ValidationContext) -> TicketRejection? {
        let round = expiration.creationRound
        guard round <= context.currentRound, context.currentRound - round < policy.ticketValidityRounds else {
            return .init(.roundInvalid, "creation round \(round) is not valid in round \(context.currentRound)")
        }
        guard context.roundBlockHashes[round] == expiration.creationRoundBlockHash else {
            return .init(.roundInvalid, "creation round block hash does not match round \(round)")
        }
        return nil
    }

    /// Checks one ticket's signature (V, low S, signer = sender) under params already checked.
    public func checkTicket(_ ticket: Ticket, sig: [UInt8], recipientRand: UInt256) -> Result<CheckedTicket, TicketRejection> {
        var senderKey: PublicKeyXY?
        return checkTicket(ticket, sig: sig, recipientRand: recipientRand, senderKey: &senderKey)
    }

    /// Checks one ticket's signature (V, low S, signer = sender) under params already checked.
    /// `expectedValue` may be passed in when the caller has it (every ticket of a payment shares it).
    /// `senderKey` remembers the sender's public key once one signature proved it, so the other tickets of a
    /// payment compare keys instead of hashing each recovered key into an address.
    public func checkTicket(_ ticket: Ticket, sig: [UInt8], recipientRand: UInt256, expectedValue: UInt256? = nil,
                            senderKey: inout PublicKeyXY?) -> Result<CheckedTicket, TicketRejection> {
        let hash = ticket.hash
        let signature: Signature
        do { signature = try Signature(bytes: sig) } catch {
            switch error {
            case .highS: return .failure(.init(.signatureHighS, "signature S is above n/2"))
            case .invalidRecoveryID(let v): return .failure(.init(.signatureBadV, "signature V is \(v), not 27 or 28"))
            default: return .failure(.init(.badSignature, "\(error)"))
            }
        }
        guard let key = try? signature.recoverPublicKey(digest: EthereumMessage.digest(hash: hash)) else {
            return .failure(.init(.badSignature, "signature does not recover to a public key"))
        }
        if key != senderKey {
            guard key.address == ticket.sender else { return .failure(.init(.badSignature, "signature is not the sender's")) }
            senderKey = key
        }
        return .success(CheckedTicket(
            ticket: ticket, sig: sig, hash: hash,
            expectedValue: expectedValue ?? TicketLottery.expectedValue(faceValue: ticket.faceValue, winProb: ticket.winProb),
            recipientRand: recipientRand,
            isWinning: TicketLottery.isWinning(sig: sig, recipientRand: recipientRand, winProb: ticket.winProb)))
    }
}
