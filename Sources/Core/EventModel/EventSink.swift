/// Where a node's events go. `emit` never blocks and keeps order: events emitted earlier are stored earlier.
/// The log's sink (`LogEventSink`) is the real one; `DiscardingSink` is for nodes run without a log.
public protocol EventSink: Sendable {
    func emit(_ events: [EventEnvelope])
}

/// A sink that drops every event (a node run without a log: tools and throwaway servers only).
public struct DiscardingSink: EventSink {
    public init() {}
    public func emit(_ events: [EventEnvelope]) {}
}

/// A sink that keeps events in memory, in order (tests reading what a node emitted, and short demos).
public final class CollectingSink: EventSink, @unchecked Sendable {
    // @unchecked: `stored` is guarded by `lock`.
    private let lock = PosixMutex()
    private var stored: [EventEnvelope] = []

    public init() {}
    public func emit(_ events: [EventEnvelope]) { lock.withLock { stored += events } }
    /// Everything emitted so far.
    public var events: [EventEnvelope] { lock.withLock { stored } }
}
