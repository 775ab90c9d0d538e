public import EthCrypto

/// A sender's funds on the settlement chain as a recipient sees them, and the max float derived from them:
/// how much face value the recipient may hold unredeemed from this sender without risking the reserve.
public struct SenderFunds: Sendable, Hashable, Codable {
    public var deposit: UInt256
    /// The reserve's remaining funds.
    public var reserve: UInt256
    /// Reserve claimed by all recipients in the current round.
    public var claimedInCurrentRound: UInt256
    /// Reserve claimed by this recipient in the current round.
    public var claimedByMe: UInt256

    public init(deposit: UInt256, reserve: UInt256, claimedInCurrentRound: UInt256 = .zero, claimedByMe: UInt256 = .zero) {
        self.deposit = deposit
        self.reserve = reserve
        self.claimedInCurrentRound = claimedInCurrentRound
        self.claimedByMe = claimedByMe
    }

    /// reserveAlloc = (reserve + claimedInCurrentRound) / activeSetSize − claimedByMe (never below zero).
    public func reserveAllocation(activeSetSize: Int) -> UInt256 {
        guard activeSetSize > 0 else { return .zero }
        let pool = (try? reserve + claimedInCurrentRound) ?? .max
        let share = (try? pool / UInt256(UInt64(activeSetSize))) ?? .zero
        return (try? share - claimedByMe) ?? .zero
    }

    /// maxFloat = reserveAlloc when deposit / pending ≥ 3 (or nothing is pending), else reserveAlloc − pending.
    public func maxFloat(pending: UInt256, activeSetSize: Int) -> UInt256 {
        let allocation = reserveAllocation(activeSetSize: activeSetSize)
        guard !pending.isZero else { return allocation }
        let ratio = (try? deposit / pending) ?? .zero
        if ratio >= UInt256(3) { return allocation }
        return (try? allocation - pending) ?? .zero
    }
}
