import EventLog
import EventModel
import Logging
public import ServiceLifecycle

extension ProjectionHost: Service {
    /// Follows the log's tail until graceful shutdown or cancellation: applies each commit's events as they come,
    /// persists snapshots on the cadence, then applies what is left up to the head and persists a last snapshot.
    /// A failed apply or snapshot ends it with the typed error (the group then stops: the node is unhealthy).
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.follow() }
        } catch let failure as ProjectionHostError {
            stop(failing: failure)
            throw failure
        } catch is CancellationError {
            // Graceful shutdown or cancellation: finish below.
        }
        do {
            while true {
                let records = try await readBatchAsync(after: applied)
                if records.isEmpty { break }
                try apply(records)
            }
            try await writeSnapshotAsync()
        } catch let failure as ProjectionHostError {
            stop(failing: failure)
            throw failure
        }
        stop(failing: nil)
        logger.info("projections stopped", metadata: ["applied": "\(applied)", "persisted": "\(persistedThrough)"])
    }

    /// The tail loop: read after the applied sequence; when there is nothing, wait for the next commit (or for the
    /// snapshot deadline when unsaved events are waiting).
    private func follow() async throws(ProjectionHostError) {
        while !Task.isCancelled {
            let position = applied
            let records = try await readBatchAsync(after: position)
            if !records.isEmpty {
                try apply(records)
                if snapshotDue() { try await writeSnapshotAsync() }
                continue
            }
            if let deadline = snapshotDeadline() {
                let committed = await waitForHead(after: position, atMost: deadline)
                if !committed, snapshotDue() { try await writeSnapshotAsync() }
            } else {
                await log.waitForHead(after: position)
            }
        }
    }

    /// Waits for a commit past `position` or `limit`, whichever is first; true when a commit came.
    private func waitForHead(after position: UInt64, atMost limit: Duration) async -> Bool {
        let log = log
        return await withTimeout(limit, onTimeout: { false }) {
            await log.waitForHead(after: position)
            return !Task.isCancelled
        }
    }
}
