public import EthCrypto

/// The lottery's arithmetic, exactly as Livepeer defines it: EV, win probability, the win rule and the
/// recipientRand commitment. All integer, 256-bit, no floating point.
public enum TicketLottery {
    /// 2^256 − 1: a ticket with this winProb always wins.
    public static let maxWinProb = UInt256.max

    /// EV = faceValue · winProb / maxWinProb, rounded down (wei).
    public static func expectedValue(faceValue: UInt256, winProb: UInt256) -> UInt256 {
        // The quotient is at most faceValue, so it never overflows.
        (try? UInt256.mulDiv(faceValue, winProb, maxWinProb)) ?? .max
    }

    /// winProb = EV · ceil(maxWinProb / faceValue), floor when faceValue divides maxWinProb evenly.
    public static func winProb(expectedValue: UInt256, faceValue: UInt256) throws(PaymentError) -> UInt256 {
        guard !faceValue.isZero else { throw .arithmetic("face value is zero") }
        guard expectedValue < faceValue else { throw .expectedValueNotBelowFaceValue }
        do {
            let (quotient, remainder) = try maxWinProb.quotientAndRemainder(dividingBy: faceValue)
            let perWei = remainder.isZero ? quotient : try quotient + .one
            return try expectedValue * perWei
        } catch { throw .arithmetic("winProb for EV \(expectedValue) and face value \(faceValue) overflows") }
    }

    /// recipientRandHash = keccak256(leftpad32(recipientRand)).
    public static func recipientRandHash(_ recipientRand: UInt256) -> Hash32 {
        Keccak256.hash(recipientRand.bigEndianBytes)
    }

    /// A ticket wins iff uint256(keccak256(sig ‖ leftpad32(recipientRand))) < winProb.
    public static func isWinning(sig: [UInt8], recipientRand: UInt256, winProb: UInt256) -> Bool {
        var hasher = Keccak256()
        sig.withUnsafeBytes { hasher.update($0) }
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { buffer in
            recipientRand.writeBigEndian(to: buffer, at: 0)
            hasher.update(UnsafeRawBufferPointer(buffer))
        }
        return hasher.finalize().uint256 < winProb
    }
}
