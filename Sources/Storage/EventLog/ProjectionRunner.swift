import EthCrypto
import EventModel
import Foundation
import LMDB

/// Applies projections to the log in batches. Each batch's states and checkpoints are written in
/// the same LMDB transaction, so a crash never applies an event twice or skips one.
public final class ProjectionRunner: @unchecked Sendable {
    // @unchecked: slots are only used while `lock` is held.
    private let log: EventLog
    private let slots: [any ProjectionSlot]
    private let lock = NSLock()
    private var checkpoint: UInt64 = 0

    /// Loads each projection's stored state and checkpoint. All projections in one runner share a
    /// checkpoint; a projection stored at a different checkpoint (or not at all) is rebuilt from 0.
    public init(log: EventLog, projections: [any Projection]) throws {
        self.log = log
        slots = projections.map { Self.slot(for: $0) }
        try lock.withLock { try loadStored() }
    }

    private static func slot<P: Projection>(for projection: P) -> any ProjectionSlot { TypedSlot(projection) }

    /// The last sequence every projection has applied.
    public var appliedThrough: UInt64 { lock.withLock { checkpoint } }

    /// Applies every event up to the head; returns the new checkpoint.
    @discardableResult
    public func catchUp(batchSize: Int = 4_096) throws -> UInt64 {
        try lock.withLock {
            while true {
                let events = try log.batch(after: checkpoint, limit: batchSize)
                guard let last = events.last else { return checkpoint }
                do {
                    for stored in events {
                        let record = try stored.record()
                        for slot in slots { slot.apply(record) }
                    }
                    try persist(through: last.sequence)
                } catch {
                    // The in-memory states ran ahead of the stored checkpoint: go back to what is
                    // stored, so a retry applies each event exactly once.
                    try loadStored()
                    throw error
                }
                checkpoint = last.sequence
            }
        }
    }

    /// The stored state bytes of one projection (canonical JSON).
    public func storedState(named name: String) throws -> [UInt8]? {
        try Self.storedStates(log: log)[name]?.state
    }

    /// Every stored projection: name → (checkpoint, canonical JSON state).
    static func storedStates(log: EventLog) throws -> [String: (checkpoint: UInt64, state: [UInt8])] {
        let databases = log.databases
        return try log.environment.read { transaction in
            var out: [String: (UInt64, [UInt8])] = [:]
            try transaction.forEach(in: databases.projections) { key, value in
                let name = String(decoding: key, as: UTF8.self)
                let checkpoint = try transaction.withValue(Array(key), in: databases.checkpoints) {
                    LogDatabases.decodeSequence($0)
                } ?? 0
                out[name] = (checkpoint, Array(value))
                return true
            }
            return out
        }
    }

    private func persist(through sequence: UInt64) throws {
        let encoded = try slots.map { (Array($0.name.utf8), try $0.encodedState()) }
        let databases = log.databases
        let sequenceBytes = LogDatabases.encodeSequence(sequence)
        try log.environment.write { transaction in
            for (name, state) in encoded {
                try transaction.put(state, forKey: name, in: databases.projections)
                try transaction.put(sequenceBytes, forKey: name, in: databases.checkpoints)
            }
        }
    }

    private func loadStored() throws {
        let stored = try Self.storedStates(log: log)
        let checkpoints = Set(slots.map { stored[$0.name]?.checkpoint ?? 0 })
        guard checkpoints.count == 1, let common = checkpoints.first, common > 0 else {
            for slot in slots { slot.reset() }
            checkpoint = 0
            return
        }
        for slot in slots { try slot.load(stored[slot.name]!.state) }
        checkpoint = common
    }
}
