public import Foundation
public import EthCrypto
public import Payments

/// Payments on the wire as go-livepeer sends them (net.Payment, base64 in the Livepeer-Payment header):
/// big integers as minimal big-endian bytes, addresses as 20 bytes, hashes as 32.
extension Payment {
    /// The terms an OrchestratorInfo offers `sender` (ticket params, expiration, price), with no tickets yet.
    public init(offer info: Net_OrchestratorInfo, sender: Address) throws(WireError) {
        var wire = Net_Payment()
        wire.ticketParams = info.ticketParams
        wire.sender = Data(sender.bytes)
        wire.expirationParams = info.ticketParams.expirationParams
        wire.expectedPrice = info.priceInfo
        try self.init(wire: wire)
    }

    public init(wire: Net_Payment) throws(WireError) {
        guard wire.hasTicketParams else { throw .missing("ticket_params") }
        let params = wire.ticketParams
        let expiration = params.hasExpirationParams ? params.expirationParams : wire.expirationParams
        guard params.hasExpirationParams || wire.hasExpirationParams else { throw .missing("expiration_params") }
        guard let expirationBlock = try WireBytes.integer(params.expirationBlock, field: "ticket_params.expiration_block").uint64Value else {
            throw .outOfRange(field: "ticket_params.expiration_block")
        }
        let ticketParams = TicketParams(
            recipient: try WireBytes.address(params.recipient, field: "ticket_params.recipient"),
            faceValue: try WireBytes.integer(params.faceValue, field: "ticket_params.face_value"),
            winProb: try WireBytes.integer(params.winProb, field: "ticket_params.win_prob"),
            recipientRandHash: try WireBytes.hash(params.recipientRandHash, field: "ticket_params.recipient_rand_hash"),
            seed: try WireBytes.leftPadded(params.seed, field: "ticket_params.seed"),
            expirationBlock: expirationBlock,
            expirationParams: TicketExpirationParams(
                creationRound: expiration.creationRound,
                creationRoundBlockHash: try WireBytes.hash(expiration.creationRoundBlockHash,
                                                           field: "expiration_params.creation_round_block_hash")))
        guard wire.hasExpectedPrice, wire.expectedPrice.pricePerUnit >= 0, wire.expectedPrice.pixelsPerUnit > 0 else {
            throw .outOfRange(field: "expected_price")
        }
        let price: PriceInfo
        do {
            price = try PriceInfo(pricePerUnit: UInt256(UInt64(wire.expectedPrice.pricePerUnit)),
                                  pixelsPerUnit: UInt256(UInt64(wire.expectedPrice.pixelsPerUnit)))
        } catch { throw .outOfRange(field: "expected_price") }
        self.init(sender: try WireBytes.address(wire.sender, field: "sender"), ticketParams: ticketParams,
                  senderParams: wire.ticketSenderParams.map { TicketSenderParams(senderNonce: $0.senderNonce, sig: Array($0.sig)) },
                  expectedPrice: price)
    }

    /// The net.Payment for this payment (expiration params both inside the ticket params and beside them).
    public var wire: Net_Payment {
        var expiration = Net_TicketExpirationParams()
        expiration.creationRound = ticketParams.expirationParams.creationRound
        expiration.creationRoundBlockHash = Data(ticketParams.expirationParams.creationRoundBlockHash.bytes)
        var params = Net_TicketParams()
        params.recipient = Data(ticketParams.recipient.bytes)
        params.faceValue = Data(ticketParams.faceValue.minimalBigEndianBytes)
        params.winProb = Data(ticketParams.winProb.minimalBigEndianBytes)
        params.recipientRandHash = Data(ticketParams.recipientRandHash.bytes)
        params.seed = Data(ticketParams.seed.bytes.drop(while: { $0 == 0 }))  // a big.Int's Bytes(), as go-livepeer sends it
        params.expirationBlock = Data(UInt256(ticketParams.expirationBlock).minimalBigEndianBytes)
        params.expirationParams = expiration
        var price = Net_PriceInfo()
        price.pricePerUnit = Int64(clamping: expectedPrice.pricePerUnit.uint64Value ?? UInt64(Int64.max))
        price.pixelsPerUnit = Int64(clamping: expectedPrice.pixelsPerUnit.uint64Value ?? UInt64(Int64.max))
        var payment = Net_Payment()
        payment.ticketParams = params
        payment.sender = Data(sender.bytes)
        payment.expirationParams = expiration
        payment.ticketSenderParams = senderParams.map {
            var entry = Net_TicketSenderParams()
            entry.senderNonce = $0.senderNonce
            entry.sig = Data($0.sig)
            return entry
        }
        payment.expectedPrice = price
        return payment
    }
}

/// Field conversions shared by the wire messages.
public enum WireBytes {
    /// A 20-byte address field.
    public static func address(_ data: Data, field: String) throws(WireError) -> Address {
        guard data.count == 20 else { throw .badLength(field: field, expected: 20, actual: data.count) }
        do { return try Address(bytes: data) } catch { throw .badLength(field: field, expected: 20, actual: data.count) }
    }

    static func hash(_ data: Data, field: String) throws(WireError) -> Hash32 {
        guard data.count == 32 else { throw .badLength(field: field, expected: 32, actual: data.count) }
        do { return try Hash32(bytes: data) } catch { throw .badLength(field: field, expected: 32, actual: data.count) }
    }

    /// A 32-byte value go-livepeer carries as a big.Int (the ticket seed): its minimal big-endian bytes, left-padded.
    static func leftPadded(_ data: Data, field: String) throws(WireError) -> Hash32 {
        guard data.count <= 32 else { throw .badLength(field: field, expected: 32, actual: data.count) }
        do { return try Hash32(bytes: Data(count: 32 - data.count) + data) } catch {
            throw .badLength(field: field, expected: 32, actual: data.count)
        }
    }

    static func integer(_ data: Data, field: String) throws(WireError) -> UInt256 {
        guard data.count <= 32 else { throw .outOfRange(field: field) }
        do { return try UInt256(bigEndian: data) } catch { throw .outOfRange(field: field) }
    }
}
