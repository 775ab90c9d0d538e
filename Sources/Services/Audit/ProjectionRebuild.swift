import EthCrypto
public import EventLog
public import Projections

/// `streamflow replay rebuild`: recomputes each stored projection from the first event up to its
/// checkpoint and compares the bytes with the stored state.
public enum ProjectionRebuild {
    /// One projection's comparison.
    public struct Result: Sendable, Equatable {
        public let name: String
        public let checkpoint: UInt64
        public let storedDigest: String
        public let rebuiltDigest: String
        public var matches: Bool { storedDigest == rebuiltDigest }
    }

    public static func run(_ log: EventLog, projections: [any Projection] = BuiltInProjections.all) throws -> [Result] {
        let stored = try ProjectionReplay.storedStatesByName(log: log)
        var results: [Result] = []
        for projection in projections {
            let (checkpoint, storedState) = stored[projection.name] ?? (0, [])
            let rebuilt = try ProjectionReplay.fold(projection, log: log, through: checkpoint)
            results.append(Result(
                name: projection.name, checkpoint: checkpoint,
                storedDigest: storedState.isEmpty ? "(none)" : Keccak256.hash(storedState).hex,
                rebuiltDigest: checkpoint == 0 && storedState.isEmpty ? "(none)" : Keccak256.hash(rebuilt).hex))
        }
        return results
    }
}
