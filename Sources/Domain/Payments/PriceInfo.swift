public import EthCrypto

/// A price per pixel as a rational: `pricePerUnit` wei for every `pixelsPerUnit` pixels (go-livepeer's PriceInfo).
public struct PriceInfo: Sendable, Hashable, Codable {
    public let pricePerUnit: UInt256
    public let pixelsPerUnit: UInt256

    /// Refuses a zero denominator.
    public init(pricePerUnit: UInt256, pixelsPerUnit: UInt256) throws(PaymentError) {
        guard !pixelsPerUnit.isZero else { throw .invalidPrice("pixelsPerUnit must be positive") }
        self.pricePerUnit = pricePerUnit
        self.pixelsPerUnit = pixelsPerUnit
    }

    /// The fee for `pixels`, in wei, rounded up: pixels · pricePerUnit / pixelsPerUnit.
    public func fee(pixels: UInt64) throws(PaymentError) -> UInt256 {
        do { return try UInt256.mulDiv(UInt256(pixels), pricePerUnit, pixelsPerUnit, rounding: .up) } catch {
            throw .arithmetic("fee for \(pixels) pixels overflows")
        }
    }

    /// True when `self` is no more expensive than `other` (cross-multiplied, exact).
    public func isAtMost(_ other: PriceInfo) -> Bool {
        let left = pricePerUnit.multipliedFullWidth(by: other.pixelsPerUnit)
        let right = other.pricePerUnit.multipliedFullWidth(by: pixelsPerUnit)
        return left.high < right.high || (left.high == right.high && left.low <= right.low)
    }
}
