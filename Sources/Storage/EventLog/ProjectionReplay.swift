/// Folds one projection over the log from the first event, in memory, without touching stored
/// state: what `rebuild` compares against.
public enum ProjectionReplay {
    /// The canonical JSON state after applying events 1...`sequence`.
    public static func fold(_ projection: any Projection, log: EventLog, through sequence: UInt64) throws -> [UInt8] {
        try foldTyped(projection, log: log, through: sequence)
    }

    private static func foldTyped<P: Projection>(_ projection: P, log: EventLog, through sequence: UInt64) throws -> [UInt8] {
        var state = projection.initialState
        guard sequence > 0 else { return try ProjectionCoding.encode(state) }
        var failure: (any Error)?
        try log.scan { stored in
            guard stored.sequence <= sequence else { return false }
            do { projection.apply(&state, try stored.record()) } catch {
                failure = error
                return false
            }
            return true
        }
        if let failure { throw failure }
        return try ProjectionCoding.encode(state)
    }
}

extension ProjectionRunner {
    /// Every stored projection's checkpoint and state bytes, by name.
    public static func storedStatesByName(log: EventLog) throws -> [String: (UInt64, [UInt8])] {
        try storedStates(log: log).mapValues { ($0.checkpoint, $0.state) }
    }
}
