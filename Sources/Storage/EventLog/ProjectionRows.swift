import LMDB

/// One projection's stored row: its canonical JSON state and the last sequence folded into it.
public struct ProjectionRow: Sendable, Equatable {
    public let name: String
    public let checkpoint: UInt64
    public let state: [UInt8]

    public init(name: String, checkpoint: UInt64, state: [UInt8]) {
        self.name = name
        self.checkpoint = checkpoint
        self.state = state
    }
}

extension EventLog {
    /// Every stored projection row by name (the `projections` and `checkpoints` databases). Blocks on LMDB:
    /// call it off the cooperative pool.
    public func projectionRows() throws -> [String: ProjectionRow] {
        let databases = databases
        return try environment.read { transaction in
            var out: [String: ProjectionRow] = [:]
            try transaction.forEach(in: databases.projections) { key, value in
                let name = String(decoding: key, as: UTF8.self)
                let checkpoint = try transaction.withValue(Array(key), in: databases.checkpoints) {
                    LogDatabases.decodeSequence($0)
                } ?? 0
                out[name] = ProjectionRow(name: name, checkpoint: checkpoint, state: Array(value))
                return true
            }
            return out
        }
    }

    /// Writes projection rows, each state with its checkpoint, in one LMDB transaction (a crash keeps all or
    /// none). Only the log's `ProjectionHost` calls this: one owner per row. Blocks on LMDB.
    public func writeProjectionRows(_ rows: [ProjectionRow]) throws {
        guard !rows.isEmpty else { return }
        let databases = databases
        try environment.write { transaction in
            for row in rows {
                let key = Array(row.name.utf8)
                try transaction.put(row.state, forKey: key, in: databases.projections)
                try transaction.put(LogDatabases.encodeSequence(row.checkpoint), forKey: key, in: databases.checkpoints)
            }
        }
    }

    /// Returns once the head is past `sequence` (or at once when the task is cancelled): how a tail-driven
    /// reader waits for the next commit without polling.
    public func waitForHead(after sequence: UInt64) async {
        await headWatch.wait(after: sequence)
    }
}
