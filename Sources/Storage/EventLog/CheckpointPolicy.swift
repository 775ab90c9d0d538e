/// When a node signs a checkpoint: after `everyEvents` new events, or `everyMilliseconds` after
/// the last one when any event came since (a pure rule; the caller supplies the clock's time).
public struct CheckpointPolicy: Sendable, Equatable {
    public var everyEvents: UInt64
    public var everyMilliseconds: Int64

    public init(everyEvents: UInt64 = 1_000, everyMilliseconds: Int64 = 60_000) {
        self.everyEvents = max(everyEvents, 1)
        self.everyMilliseconds = max(everyMilliseconds, 1)
    }

    /// Whether a checkpoint is due at `head`, the last one covering `covered` and signed at `signedAt`.
    public func isDue(head: UInt64, covered: UInt64, now: Int64, signedAt: Int64) -> Bool {
        guard head > covered else { return false }
        return head - covered >= everyEvents || now - signedAt >= everyMilliseconds
    }
}
