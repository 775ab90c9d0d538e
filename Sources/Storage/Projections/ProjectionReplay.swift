public import EventLog

/// Folds one projection over the log from the first event, in memory, without touching stored
/// state: what `rebuild` compares against, and what one-shot readers of a read-only log use.
public enum ProjectionReplay {
    /// The canonical JSON state after applying events 1...`sequence`.
    public static func fold(_ projection: any Projection, log: EventLog, through sequence: UInt64) throws -> [UInt8] {
        try foldEncoded(projection, log: log, through: sequence)
    }

    private static func foldEncoded<P: Projection>(_ projection: P, log: EventLog, through sequence: UInt64) throws -> [UInt8] {
        try ProjectionCoding.encode(state(projection, log: log, through: sequence))
    }

    /// The typed state after applying events 1...`sequence` (the head by default).
    public static func state<P: Projection>(_ projection: P, log: EventLog, through sequence: UInt64? = nil) throws -> P.State {
        var state = projection.initialState
        let last = sequence ?? log.head.sequence
        guard last > 0 else { return state }
        var failure: (any Error)?
        try log.scan { stored in
            guard stored.sequence <= last else { return false }
            do { try projection.apply(&state, try stored.record()) } catch {
                failure = error
                return false
            }
            return true
        }
        if let failure { throw failure }
        return state
    }

    /// Every stored projection's checkpoint and state bytes, by name.
    public static func storedStatesByName(log: EventLog) throws -> [String: (UInt64, [UInt8])] {
        try log.projectionRows().mapValues { ($0.checkpoint, $0.state) }
    }
}
