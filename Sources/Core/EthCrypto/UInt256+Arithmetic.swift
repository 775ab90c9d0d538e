/// Checked arithmetic: operators throw instead of wrapping; `…ReportingOverflow` forms report instead.
extension UInt256 {
    public func addingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.addingReportingOverflow(other.w0)
        let (s1, c1a) = w1.addingReportingOverflow(other.w1)
        let (r1, c1b) = s1.addingReportingOverflow(c0 ? 1 : 0)
        let (s2, c2a) = w2.addingReportingOverflow(other.w2)
        let (r2, c2b) = s2.addingReportingOverflow(c1a || c1b ? 1 : 0)
        let (s3, c3a) = w3.addingReportingOverflow(other.w3)
        let (r3, c3b) = s3.addingReportingOverflow(c2a || c2b ? 1 : 0)
        return (UInt256(limbs: (r0, r1, r2, r3)), c3a || c3b)
    }

    public func subtractingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, b0) = w0.subtractingReportingOverflow(other.w0)
        let (s1, b1a) = w1.subtractingReportingOverflow(other.w1)
        let (r1, b1b) = s1.subtractingReportingOverflow(b0 ? 1 : 0)
        let (s2, b2a) = w2.subtractingReportingOverflow(other.w2)
        let (r2, b2b) = s2.subtractingReportingOverflow(b1a || b1b ? 1 : 0)
        let (s3, b3a) = w3.subtractingReportingOverflow(other.w3)
        let (r3, b3b) = s3.subtractingReportingOverflow(b2a || b2b ? 1 : 0)
        return (UInt256(limbs: (r0, r1, r2, r3)), b3a || b3b)
    }

    /// The full 512-bit product as (high, low) halves.
    public func multipliedFullWidth(by other: UInt256) -> (high: UInt256, low: UInt256) {
        let product = Self.multiplyLimbs(limbArray, other.limbArray)
        return (UInt256(array: Array(product[4..<8])), UInt256(array: Array(product[0..<4])))
    }

    public func multipliedReportingOverflow(by other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (high, low) = multipliedFullWidth(by: other)
        return (low, !high.isZero)
    }

    public static func + (lhs: UInt256, rhs: UInt256) throws(UInt256Error) -> UInt256 {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        guard !overflow else { throw .overflow(operation: "addition") }
        return sum
    }

    public static func - (lhs: UInt256, rhs: UInt256) throws(UInt256Error) -> UInt256 {
        let (difference, overflow) = lhs.subtractingReportingOverflow(rhs)
        guard !overflow else { throw .underflow(operation: "subtraction") }
        return difference
    }

    public static func * (lhs: UInt256, rhs: UInt256) throws(UInt256Error) -> UInt256 {
        let (product, overflow) = lhs.multipliedReportingOverflow(by: rhs)
        guard !overflow else { throw .overflow(operation: "multiplication") }
        return product
    }

    public static func / (lhs: UInt256, rhs: UInt256) throws(UInt256Error) -> UInt256 {
        try lhs.quotientAndRemainder(dividingBy: rhs).quotient
    }

    public static func % (lhs: UInt256, rhs: UInt256) throws(UInt256Error) -> UInt256 {
        try lhs.quotientAndRemainder(dividingBy: rhs).remainder
    }

    public func quotientAndRemainder(dividingBy divisor: UInt256) throws(UInt256Error) -> (quotient: UInt256, remainder: UInt256) {
        guard !divisor.isZero else { throw .divisionByZero }
        let (quotient, remainder) = Self.divideLimbs(limbArray, by: divisor.limbArray)
        return (UInt256(array: Array(quotient.prefix(4))), UInt256(array: remainder))
    }

    /// How a quotient that is not exact is rounded.
    public enum Rounding: Sendable { case down, up }

    /// a·b/c exactly, through a 512-bit intermediate; throws when c is zero or the result exceeds 2²⁵⁶−1.
    public static func mulDiv(_ a: UInt256, _ b: UInt256, _ c: UInt256, rounding: Rounding = .down) throws(UInt256Error) -> UInt256 {
        guard !c.isZero else { throw .divisionByZero }
        let product = multiplyLimbs(a.limbArray, b.limbArray)
        var (quotient, remainder) = divideLimbs(product, by: c.limbArray)
        if rounding == .up, remainder.contains(where: { $0 != 0 }) {
            var index = 0
            while index < quotient.count {
                let (sum, carry) = quotient[index].addingReportingOverflow(1)
                quotient[index] = sum
                if !carry { break }
                index += 1
            }
            if index == quotient.count { throw .overflow(operation: "mulDiv") }
        }
        guard quotient[4...].allSatisfy({ $0 == 0 }) else { throw .overflow(operation: "mulDiv") }
        return UInt256(array: Array(quotient.prefix(4)))
    }

    /// Divides by a 64-bit value: (quotient, remainder). Used by `description`.
    func dividedReportingRemainder(by divisor: UInt64) -> (UInt256, UInt64) {
        var remainder: UInt64 = 0
        var limbs = limbArray
        for index in stride(from: 3, through: 0, by: -1) {
            (limbs[index], remainder) = divisor.dividingFullWidth((remainder, limbs[index]))
        }
        return (UInt256(array: limbs), remainder)
    }

    public static func << (lhs: UInt256, rhs: Int) -> UInt256 {
        guard rhs > 0 else { return rhs == 0 ? lhs : lhs >> -rhs }
        guard rhs < 256 else { return .zero }
        let limbs = lhs.limbArray
        var out: [UInt64] = [0, 0, 0, 0]
        let limbShift = rhs / 64, bitShift = UInt64(rhs % 64)
        for index in stride(from: 3, through: limbShift, by: -1) {
            let source = index - limbShift
            out[index] = limbs[source] << bitShift
            if bitShift > 0 && source > 0 { out[index] |= limbs[source - 1] >> (64 - bitShift) }
        }
        return UInt256(array: out)
    }

    public static func >> (lhs: UInt256, rhs: Int) -> UInt256 {
        guard rhs > 0 else { return rhs == 0 ? lhs : lhs << -rhs }
        guard rhs < 256 else { return .zero }
        let limbs = lhs.limbArray
        var out: [UInt64] = [0, 0, 0, 0]
        let limbShift = rhs / 64, bitShift = UInt64(rhs % 64)
        for index in 0..<(4 - limbShift) {
            let source = index + limbShift
            out[index] = limbs[source] >> bitShift
            if bitShift > 0 && source < 3 { out[index] |= limbs[source + 1] << (64 - bitShift) }
        }
        return UInt256(array: out)
    }

    public static func & (lhs: UInt256, rhs: UInt256) -> UInt256 {
        UInt256(limbs: (lhs.w0 & rhs.w0, lhs.w1 & rhs.w1, lhs.w2 & rhs.w2, lhs.w3 & rhs.w3))
    }

    public static func | (lhs: UInt256, rhs: UInt256) -> UInt256 {
        UInt256(limbs: (lhs.w0 | rhs.w0, lhs.w1 | rhs.w1, lhs.w2 | rhs.w2, lhs.w3 | rhs.w3))
    }

    public static func ^ (lhs: UInt256, rhs: UInt256) -> UInt256 {
        UInt256(limbs: (lhs.w0 ^ rhs.w0, lhs.w1 ^ rhs.w1, lhs.w2 ^ rhs.w2, lhs.w3 ^ rhs.w3))
    }
}
