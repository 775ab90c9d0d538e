import Dispatch
public import EventLog
public import EventModel
import Synchronization

extension ProjectionHost {
    /// Applies every event up to the head and persists a snapshot; returns the applied sequence. For one-shot
    /// tools and tests that run without a service group (it blocks on LMDB: not for the cooperative pool).
    @discardableResult
    public func catchUp() throws(ProjectionHostError) -> UInt64 {
        if let failure = failure { throw failure }
        while true {
            let records = try Self.readBatch(log: log, after: applied, limit: options.batchSize)
            if records.isEmpty { break }
            try apply(records)
            if snapshotDue() { try writeSnapshot() }
        }
        try writeSnapshot()
        return applied
    }

    /// Reads up to `limit` events after `sequence`, decoded.
    static func readBatch(log: EventLog, after sequence: UInt64, limit: Int) throws(ProjectionHostError) -> [EventRecord] {
        let stored: [StoredEvent]
        do { stored = try log.batch(after: sequence, limit: limit) } catch { throw .readFailed("\(error)") }
        var records: [EventRecord] = []
        records.reserveCapacity(stored.count)
        for event in stored {
            do { records.append(try event.record()) } catch { throw .unreadableEvent(sequence: event.sequence, reason: "\(error)") }
        }
        return records
    }

    /// `readBatch` on the read queue, off the cooperative pool.
    func readBatchAsync(after sequence: UInt64) async throws(ProjectionHostError) -> [EventRecord] {
        let (log, limit) = (log, options.batchSize)
        let result: Result<[EventRecord], ProjectionHostError> = await withCheckedContinuation { continuation in
            Self.readQueue.async {
                continuation.resume(returning: Result { () throws(ProjectionHostError) in try Self.readBatch(log: log, after: sequence, limit: limit) })
            }
        }
        return try result.get()
    }

    /// Folds `records` into every projection. A failing apply stops the host: its state stays as the last event
    /// before the failure left it, and nothing after the last good snapshot is persisted.
    func apply(_ records: [EventRecord]) throws(ProjectionHostError) {
        let (failure, due, updates, applied) = core.withLock { core -> (ProjectionHostError?, [CheckedContinuation<ProjectionHostError?, Never>], [AsyncStream<UInt64>.Continuation], UInt64) in
            if let failure = core.failure { return (failure, [], [], core.applied) }
            var failed: ProjectionHostError?
            var matchedIDs: [UInt64: UInt64] = [:]
            let before = core.applied
            events: for record in records where record.sequence > core.applied {
                for index in core.slots.indices {
                    do { try core.slots[index].apply(record) } catch {
                        failed = .applyFailed(projection: core.slots[index].name, sequence: record.sequence, reason: "\(error)")
                        break events
                    }
                }
                core.applied = record.sequence
                if !core.idWaiters.isEmpty {
                    for (token, waiter) in core.idWaiters where waiter.id == record.envelope.id { matchedIDs[token] = record.sequence }
                }
            }
            if core.applied > before {
                core.unsaved += Int(core.applied - before)
                if core.unsavedSince == nil { core.unsavedSince = .now }
            }
            var due: [CheckedContinuation<ProjectionHostError?, Never>] = []
            for token in matchedIDs.keys { if let waiter = core.idWaiters.removeValue(forKey: token) { due.append(waiter.continuation) } }
            for (token, waiter) in core.waiters where waiter.through <= core.applied {
                core.waiters.removeValue(forKey: token)
                due.append(waiter.continuation)
            }
            if let failed { core.failure = failed }
            return (failed, due, core.applied > before ? Array(core.subscribers.values) : [], core.applied)
        }
        for continuation in due { continuation.resume(returning: nil) }
        for subscriber in updates { subscriber.yield(applied) }
        if let failure {
            stop(failing: failure)
            throw failure
        }
    }

    /// Whether the snapshot cadence says the unsaved events must be persisted now.
    func snapshotDue(now: ContinuousClock.Instant = .now) -> Bool {
        core.withLock { core in
            guard core.unsaved > 0, let since = core.unsavedSince else { return false }
            return core.unsaved >= options.snapshotEveryEvents || now - since >= options.snapshotInterval
        }
    }

    /// How long until the interval bound makes the unsaved events due (nil when nothing is unsaved).
    func snapshotDeadline(now: ContinuousClock.Instant = .now) -> Duration? {
        core.withLock { core in
            guard core.unsaved > 0, let since = core.unsavedSince else { return nil }
            return max(.zero, options.snapshotInterval - (now - since))
        }
    }

    /// Takes the states to persist (cheap copies) and marks them saved; nil when there is nothing new.
    private func takeSnapshot() -> (slots: [any ProjectionSlot], through: UInt64)? {
        core.withLock { core in
            guard core.unsaved > 0 || core.persisted != core.applied, core.failure == nil else { return nil }
            core.unsaved = 0
            core.unsavedSince = nil
            return (core.slots, core.applied)
        }
    }

    /// Encodes and writes the snapshot in the calling thread (one-shot tools and the snapshot queue).
    func writeSnapshot() throws(ProjectionHostError) {
        guard options.persists, let (slots, through) = takeSnapshot() else { return }
        do {
            let rows = try slots.map { ProjectionRow(name: $0.name, checkpoint: $0.checkpoint, state: try $0.encodedState()) }
            try log.writeProjectionRows(rows)
        } catch {
            let failure = ProjectionHostError.snapshotFailed("\(error)")
            core.withLock { $0.failure = $0.failure ?? failure }
            stop(failing: failure)
            throw failure
        }
        core.withLock { $0.persisted = max($0.persisted, through) }
    }

    /// `writeSnapshot` on the snapshot queue, off the cooperative pool.
    func writeSnapshotAsync() async throws(ProjectionHostError) {
        let result: Result<Void, ProjectionHostError> = await withCheckedContinuation { continuation in
            Self.snapshotQueue.async {
                continuation.resume(returning: Result { () throws(ProjectionHostError) in try self.writeSnapshot() })
            }
        }
        try result.get()
    }
}
