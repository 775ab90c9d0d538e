public import EthCrypto

/// The recipient's secret for deriving recipientRand: HMAC-SHA256(secret, seed ‖ sender ‖ faceValue ‖ winProb ‖
/// expirationBlock ‖ price numerator ‖ price denominator ‖ auxData), integers minimal big-endian. Nothing per
/// ticket needs storing: the params carry every input but the secret.
public struct RecipientSecret: Sendable {
    private let key: [UInt8]

    public init(key: [UInt8]) { self.key = key }

    /// A fresh 32-byte secret from the OS random source.
    public static func generate() throws(EthCryptoError) -> RecipientSecret {
        RecipientSecret(key: try SecureRandom.bytes(32))
    }

    /// recipientRand for a sender under the given params fields and price.
    public func recipientRand(seed: Hash32, sender: Address, faceValue: UInt256, winProb: UInt256,
                              expirationBlock: UInt64, price: PriceInfo, auxData: [UInt8]) -> UInt256 {
        var message = seed.bytes
        message += sender.bytes
        message += faceValue.minimalBigEndianBytes
        message += winProb.minimalBigEndianBytes
        message += UInt256(expirationBlock).minimalBigEndianBytes
        message += price.pricePerUnit.minimalBigEndianBytes
        message += price.pixelsPerUnit.minimalBigEndianBytes
        message += auxData
        return HMACSHA256.authenticate(key: key, message: message).uint256
    }

    /// recipientRand for the params a payment carries.
    public func recipientRand(for params: TicketParams, sender: Address, price: PriceInfo) -> UInt256 {
        recipientRand(seed: params.seed, sender: sender, faceValue: params.faceValue, winProb: params.winProb,
                      expirationBlock: params.expirationBlock, price: price, auxData: params.expirationParams.auxData)
    }
}
