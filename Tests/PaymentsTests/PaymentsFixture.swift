import EthCrypto
@testable import Payments

/// A sender, a recipient and a chain context that accept each other: the baseline every rejection test
/// changes one thing of.
struct PaymentsFixture {
    let senderKey: PrivateKey
    let sender: TicketSender
    let recipient: TicketRecipient
    let price: PriceInfo
    let context: ValidationContext
    let funds = SenderFunds(deposit: UInt256(1_000_000_000_000_000_000), reserve: UInt256(10_000_000_000_000_000_000))
    static let blockHash = try! Hash32(hex: "0x41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d")

    init(policy: TicketPolicy = TicketPolicy(), limits: SenderLimits = SenderLimits()) throws {
        senderKey = try PrivateKey.generate()
        sender = TicketSender(key: senderKey, limits: limits)
        let recipientKey = try PrivateKey.generate()
        recipient = TicketRecipient(validator: TicketValidator(
            recipient: recipientKey.address, secret: RecipientSecret(key: Array("fixture secret".utf8)), policy: policy))
        price = try PriceInfo(pricePerUnit: UInt256(1_200), pixelsPerUnit: UInt256(1))
        context = ValidationContext(currentBlock: 1_000, currentRound: 10, roundBlockHashes: [10: Self.blockHash],
                                    gasPrice: UInt256(1_000_000_000))
    }

    /// Fresh params from the recipient for this sender.
    func params(seed: UInt8 = 7) throws -> TicketParams {
        try recipient.ticketParams(sender: sender.address, funds: funds, activeSetSize: 100, price: price,
                                   context: context, seed: Hash32(bytes: [UInt8](repeating: seed, count: 32)))
    }

    /// A payment of `tickets` tickets (the pixel count is chosen so the sender needs exactly that many).
    func payment(tickets: Int, params: TicketParams? = nil, session: String = "s1") throws -> Payment {
        let params = try params ?? self.params()
        let ev = params.expectedValue
        // fee = pixels · 1.02 · 1200 ≈ tickets · EV; ask for just under it so the count comes out exact.
        let pixels = (try (ev * UInt256(UInt64(tickets))) / UInt256(1_224)).uint64Value! - 1
        return try sender.pay(session: session, params: params, price: price, pixels: pixels, deposit: funds.deposit,
                              reserve: funds.reserve, currentBlock: context.currentBlock).payment
    }
}
