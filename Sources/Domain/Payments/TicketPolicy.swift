public import EthCrypto

/// How a recipient prices its lottery: the EV it wants per ticket, the gas a redemption costs and how many times
/// that cost a face value must be. Defaults are go-livepeer's (EV 8e9 wei, 350,000 gas on L1, multiplier 100).
public struct TicketPolicy: Sendable, Hashable {
    public var expectedValue: UInt256
    public var redeemGas: UInt64
    public var txCostMultiplier: UInt64
    /// L1 blocks a params set stays valid after issuance.
    public var paramsValidityBlocks: UInt64
    /// Rounds after its creation round in which a ticket is still accepted (creation round included).
    public var ticketValidityRounds: Int64
    /// Nonces accepted per recipientRand.
    public var maxNoncesPerRand: Int

    public init(expectedValue: UInt256 = UInt256(8_000_000_000), redeemGas: UInt64 = 350_000,
                txCostMultiplier: UInt64 = 100, paramsValidityBlocks: UInt64 = 40, ticketValidityRounds: Int64 = 2,
                maxNoncesPerRand: Int = 600) {
        self.expectedValue = expectedValue
        self.redeemGas = redeemGas
        self.txCostMultiplier = txCostMultiplier
        self.paramsValidityBlocks = paramsValidityBlocks
        self.ticketValidityRounds = ticketValidityRounds
        self.maxNoncesPerRand = maxNoncesPerRand
    }

    /// The cost of redeeming one ticket at `gasPrice`: redeemGas · gasPrice.
    public func transactionCost(gasPrice: UInt256) throws(PaymentError) -> UInt256 {
        do { return try UInt256(redeemGas) * gasPrice } catch { throw .arithmetic("redeemGas · gasPrice overflows") }
    }

    /// Face value as go-livepeer's recipient computes it (pm/recipient.go `faceValue`): txCost · multiplier, or
    /// EV · multiplier when that is below the EV; capped by the sender's max float. Refused when the result is at
    /// or below the transaction cost (stricter than go-livepeer, which also accepts it above the cost at an
    /// average gas price) or not above the EV.
    public func faceValue(gasPrice: UInt256, maxFloat: UInt256) throws(PaymentError) -> UInt256 {
        let cost = try transactionCost(gasPrice: gasPrice)
        let multiplier = UInt256(txCostMultiplier)
        let byCost = (try? cost * multiplier) ?? .max
        let byEV = (try? expectedValue * multiplier) ?? .max
        let faceValue = min(byCost < expectedValue ? byEV : byCost, maxFloat)
        guard faceValue > cost else {
            throw .faceValueBelowTransactionCost(faceValue: faceValue.description, transactionCost: cost.description)
        }
        guard faceValue > expectedValue else { throw .expectedValueNotBelowFaceValue }
        return faceValue
    }

    /// Face value and the winProb that gives this policy's EV at that face value.
    public func lottery(gasPrice: UInt256, maxFloat: UInt256) throws(PaymentError) -> (faceValue: UInt256, winProb: UInt256) {
        let faceValue = try faceValue(gasPrice: gasPrice, maxFloat: maxFloat)
        return (faceValue, try TicketLottery.winProb(expectedValue: expectedValue, faceValue: faceValue))
    }
}
