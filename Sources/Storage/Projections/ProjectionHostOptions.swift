/// How often a host persists its snapshot: after `snapshotEveryEvents` applied events, or `snapshotInterval` after
/// the first event not yet in a snapshot, whichever comes first (both bounded), and always at shutdown.
public struct ProjectionHostOptions: Sendable, Equatable {
    public static let eventBounds: ClosedRange<Int> = 1...1_000_000
    public static let intervalBounds: ClosedRange<Duration> = .milliseconds(10)...(.seconds(600))

    public var snapshotEveryEvents: Int
    public var snapshotInterval: Duration
    /// Events read from the log at a time.
    public var batchSize: Int
    /// Write snapshots (false over a read-only log: a one-shot reader starts from the stored snapshot and keeps
    /// what it folds in memory).
    public var persists: Bool

    /// Values outside the bounds are clamped to them.
    public init(snapshotEveryEvents: Int = 4_096, snapshotInterval: Duration = .seconds(1), batchSize: Int = 1_024,
                persists: Bool = true) {
        self.snapshotEveryEvents = min(max(snapshotEveryEvents, Self.eventBounds.lowerBound), Self.eventBounds.upperBound)
        self.snapshotInterval = min(max(snapshotInterval, Self.intervalBounds.lowerBound), Self.intervalBounds.upperBound)
        self.batchSize = min(max(batchSize, 1), 65_536)
        self.persists = persists
    }
}
