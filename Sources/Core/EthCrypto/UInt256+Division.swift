/// Limb-level multiplication and long division (Knuth, TAOCP vol. 2, 4.3.1, algorithm D) on
/// little-endian arrays of 64-bit limbs.
extension UInt256 {
    /// Schoolbook product of two limb arrays; the result has a.count + b.count limbs.
    static func multiplyLimbs(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: a.count + b.count)
        for i in 0..<a.count where a[i] != 0 {
            var carry: UInt64 = 0
            for j in 0..<b.count {
                let (high, low) = a[i].multipliedFullWidth(by: b[j])
                let (sum1, c1) = out[i + j].addingReportingOverflow(low)
                let (sum2, c2) = sum1.addingReportingOverflow(carry)
                out[i + j] = sum2
                carry = high &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
            }
            out[i + b.count] = carry
        }
        return out
    }

    /// (quotient, remainder) of `numerator` by a non-zero `divisor`; the quotient has
    /// numerator.count limbs and the remainder 4.
    static func divideLimbs(_ numerator: [UInt64], by divisor: [UInt64]) -> ([UInt64], [UInt64]) {
        let n = (divisor.lastIndex { $0 != 0 } ?? 0) + 1
        var quotient = [UInt64](repeating: 0, count: numerator.count)
        if n == 1 {
            var remainder: UInt64 = 0
            for index in stride(from: numerator.count - 1, through: 0, by: -1) {
                (quotient[index], remainder) = divisor[0].dividingFullWidth((remainder, numerator[index]))
            }
            return (quotient, [remainder, 0, 0, 0])
        }
        let used = (numerator.lastIndex { $0 != 0 } ?? -1) + 1
        guard used >= n else { return (quotient, Array(numerator.prefix(4)) + [UInt64](repeating: 0, count: Swift.max(0, 4 - numerator.count))) }
        let m = used - n
        let shift = UInt64(divisor[n - 1].leadingZeroBitCount)
        let v = normalize(Array(divisor[0..<n]), shift: shift, extraLimb: false)
        var u = normalize(Array(numerator[0..<used]), shift: shift, extraLimb: true)
        let top = v[n - 1], next = v[n - 2]
        for j in stride(from: m, through: 0, by: -1) {
            var qhat: UInt64
            var rhat: UInt64
            var rhatOverflowed = false
            if u[j + n] >= top {
                qhat = .max
                let (sum, overflow) = u[j + n - 1].addingReportingOverflow(top)
                rhat = sum
                rhatOverflowed = overflow
            } else {
                (qhat, rhat) = top.dividingFullWidth((u[j + n], u[j + n - 1]))
            }
            while !rhatOverflowed {
                let (high, low) = qhat.multipliedFullWidth(by: next)
                guard (high, low) > (rhat, u[j + n - 2]) else { break }
                qhat -= 1
                let (sum, overflow) = rhat.addingReportingOverflow(top)
                rhat = sum
                rhatOverflowed = overflow
            }
            // u[j...j+n] -= qhat · v
            var borrow: UInt64 = 0
            var carry: UInt64 = 0
            for i in 0..<n {
                let (high, low) = qhat.multipliedFullWidth(by: v[i])
                let (productLow, c) = low.addingReportingOverflow(carry)
                carry = high &+ (c ? 1 : 0)
                let (d1, b1) = u[i + j].subtractingReportingOverflow(productLow)
                let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                u[i + j] = d2
                borrow = (b1 ? 1 : 0) + (b2 ? 1 : 0)
            }
            let (d1, b1) = u[j + n].subtractingReportingOverflow(carry)
            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
            u[j + n] = d2
            if b1 || b2 {
                // qhat was one too large: add v back.
                qhat -= 1
                var addCarry: UInt64 = 0
                for i in 0..<n {
                    let (s1, c1) = u[i + j].addingReportingOverflow(v[i])
                    let (s2, c2) = s1.addingReportingOverflow(addCarry)
                    u[i + j] = s2
                    addCarry = (c1 ? 1 : 0) + (c2 ? 1 : 0)
                }
                u[j + n] = u[j + n] &+ addCarry
            }
            quotient[j] = qhat
        }
        var remainder = [UInt64](repeating: 0, count: 4)
        for i in 0..<n {
            remainder[i] = shift == 0 ? u[i] : (u[i] >> shift) | (u[i + 1] << (64 - shift))
        }
        return (quotient, remainder)
    }

    /// Shifts limbs left by `shift` bits (< 64), optionally keeping one more limb for the carry out.
    private static func normalize(_ limbs: [UInt64], shift: UInt64, extraLimb: Bool) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: limbs.count + (extraLimb ? 1 : 0))
        for index in 0..<limbs.count {
            out[index] |= shift == 0 ? limbs[index] : limbs[index] << shift
            if shift > 0 && index + 1 < out.count { out[index + 1] = limbs[index] >> (64 - shift) }
        }
        return out
    }
}
