public import EthCrypto

/// How the sender prices its EIP-1559 transactions: the tip the node suggests (capped), a fee cap of twice the next
/// base fee plus the tip (room for six full blocks of base-fee growth), an operator's hard cap, and how much a
/// replacement of a stuck transaction bumps both fees (nodes require at least 10%).
public struct FeePolicy: Sendable, Hashable {
    /// The most wei per gas a transaction may ever offer; nil for no cap.
    public var maxFeePerGasCap: UInt256?
    /// The most tip per gas.
    public var maxPriorityFeePerGas: UInt256
    /// The bump of a replacement, in percent of the previous fees (at least 10).
    public var replacementBumpPercent: UInt64

    public init(maxFeePerGasCap: UInt256? = nil, maxPriorityFeePerGas: UInt256 = UInt256(2_000_000_000), replacementBumpPercent: UInt64 = 13) {
        self.maxFeePerGasCap = maxFeePerGasCap
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.replacementBumpPercent = max(replacementBumpPercent, 10)
    }

    /// (tip, fee cap) for a next block whose base fee is `baseFee`, or why not to send now.
    public func fees(baseFee: UInt256, suggestedTip: UInt256) throws(EthereumSettlementError) -> (tip: UInt256, maxFee: UInt256) {
        let tip = min(suggestedTip, maxPriorityFeePerGas)
        let floor = (try? baseFee + tip) ?? .max
        if let cap = maxFeePerGasCap, floor > cap { throw .gasPriceAboveCap(baseFee: baseFee, cap: cap) }
        var maxFee = (try? baseFee * UInt256(2) + tip) ?? .max
        if let cap = maxFeePerGasCap { maxFee = min(maxFee, cap) }
        return (tip, maxFee)
    }

    /// The fees of a replacement: both raised by the bump (rounded up), the cap raised to cover the current base fee
    /// too; nil when the bump would pass the operator's cap.
    public func bumped(tip: UInt256, maxFee: UInt256, baseFee: UInt256) -> (tip: UInt256, maxFee: UInt256)? {
        let factor = UInt256(100 + replacementBumpPercent)
        guard let newTip = try? UInt256.mulDiv(tip, factor, UInt256(100), rounding: .up),
              let raised = try? UInt256.mulDiv(maxFee, factor, UInt256(100), rounding: .up),
              let current = try? baseFee * UInt256(2) + newTip else { return nil }
        var newMax = max(raised, current)
        if let cap = maxFeePerGasCap {
            guard raised <= cap else { return nil }
            newMax = min(newMax, cap)
        }
        // A node refuses a replacement unless the tip rose too; keep tip <= fee cap.
        return (min(max(newTip, (try? tip + UInt256(1)) ?? newTip), newMax), newMax)
    }
}
