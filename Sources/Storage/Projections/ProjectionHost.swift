import Dispatch
public import EventLog
public import Logging
import Synchronization

/// The one owner of a log's projections: folds every committed event into each projection's state, driven by the
/// log's tail (no polling), hands typed state to readers, and persists snapshots (state + checkpoint, one LMDB
/// transaction) on a bounded cadence and at shutdown. At start it loads the stored snapshot and replays the rest.
/// Run it as a `Service` in the node's group, or call `catchUp()` from a one-shot tool.
public final class ProjectionHost: Sendable {
    public let log: EventLog
    public let options: ProjectionHostOptions
    let logger: Logger
    let core: Mutex<Core>

    /// Everything that changes, behind one lock.
    struct Core {
        var slots: [any ProjectionSlot]
        /// The last sequence every hosted projection has folded.
        var applied: UInt64
        /// The checkpoint of the newest persisted snapshot.
        var persisted: UInt64
        var failure: ProjectionHostError?
        var finished = false
        /// Events applied since the last snapshot, and when the first of them was.
        var unsaved = 0
        var unsavedSince: ContinuousClock.Instant?
        var nextToken: UInt64 = 0
        var waiters: [UInt64: (through: UInt64, continuation: CheckedContinuation<ProjectionHostError?, Never>)] = [:]
        var idWaiters: [UInt64: (id: String, continuation: CheckedContinuation<ProjectionHostError?, Never>)] = [:]
        var subscribers: [UInt64: AsyncStream<UInt64>.Continuation] = [:]

        init(slots: [any ProjectionSlot], applied: UInt64) {
            self.slots = slots
            self.applied = applied
            persisted = applied
        }
    }

    static let readQueue = DispatchQueue(label: "streamflow.projection-reads", attributes: .concurrent)
    static let snapshotQueue = DispatchQueue(label: "streamflow.projection-snapshots")

    /// Loads each projection's stored snapshot (a missing or unreadable one, or one ahead of the log, starts from
    /// the first event). Blocks on LMDB: build it before the service group starts.
    public init(log: EventLog, projections: [any Projection] = BuiltInProjections.all,
                options: ProjectionHostOptions = ProjectionHostOptions(), logger: Logger = Logger(label: "projections")) throws {
        self.log = log
        self.options = options
        self.logger = logger
        let rows = try log.projectionRows()
        let head = log.head.sequence
        var slots = projections.map { makeSlot($0) }
        for index in slots.indices {
            guard let row = rows[slots[index].name], row.checkpoint > 0 else { continue }
            guard row.checkpoint <= head else {
                logger.warning("projection snapshot is ahead of the log; rebuilding", metadata: ["projection": "\(slots[index].name)"])
                continue
            }
            do { try slots[index].load(row.state, checkpoint: row.checkpoint) } catch {
                logger.warning("projection snapshot unreadable; rebuilding",
                               metadata: ["projection": "\(slots[index].name)", "error": "\(error)"])
                slots[index].reset()
            }
        }
        let applied = slots.map(\.checkpoint).min() ?? head
        core = Mutex(Core(slots: slots, applied: applied))
    }

    /// The last sequence every hosted projection has applied.
    public var applied: UInt64 { core.withLock { $0.applied } }

    /// The checkpoint of the newest stored snapshot.
    public var persistedThrough: UInt64 { core.withLock { $0.persisted } }

    /// Why the host stopped, if it failed (the node's health reads this).
    public var failure: ProjectionHostError? { core.withLock { $0.failure } }

    /// The names of the hosted projections.
    public var names: [String] { core.withLock { $0.slots.map(\.name) } }

    /// The current state of a hosted projection, typed.
    public func state<P: Projection>(of type: P.Type) throws(ProjectionHostError) -> P.State {
        try stateAndApplied(of: type).state
    }

    /// The current state of a hosted projection with the sequence it reflects.
    public func stateAndApplied<P: Projection>(of type: P.Type) throws(ProjectionHostError) -> (state: P.State, applied: UInt64) {
        let found: (P.State, UInt64)? = core.withLock { core in
            for slot in core.slots where slot.projectionType == ObjectIdentifier(P.self) {
                if let typed = slot as? TypedSlot<P> { return (typed.state, core.applied) }
            }
            return nil
        }
        guard let found else { throw .notHosted(String(describing: P.self)) }
        return found
    }

    /// The canonical JSON state of a hosted projection by name (what its snapshot stores).
    public func encodedState(named name: String) throws -> [UInt8]? {
        let slot = core.withLock { core in core.slots.first { $0.name == name } }
        return try slot?.encodedState()
    }
}
