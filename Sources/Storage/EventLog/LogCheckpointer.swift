public import EthCrypto
public import EventModel
import Synchronization

/// Signs the log's head at a bounded cadence (`CheckpointPolicy`) and at shutdown, appending each
/// checkpoint as a `log.checkpoint` event. Time comes from the injected clock; it never sleeps.
public final class LogCheckpointer: Sendable {
    private let log: EventLog
    private let key: PrivateKey
    private let clock: any EventClock
    private let policy: CheckpointPolicy
    /// The last head signed (0 before any) and when: the checkpoint event itself is not counted as new.
    private let last: Mutex<(covered: UInt64, position: UInt64, at: Int64)>

    public init(log: EventLog, key: PrivateKey, clock: any EventClock, policy: CheckpointPolicy = CheckpointPolicy()) {
        self.log = log
        self.key = key
        self.clock = clock
        self.policy = policy
        last = Mutex((0, 0, clock.nowMilliseconds()))
    }

    /// Signs and appends a checkpoint if the policy says one is due; returns it.
    @discardableResult
    public func checkpointIfDue() async throws -> LogCheckpoint? {
        let head = log.head
        let now = clock.nowMilliseconds()
        let due = last.withLock { policy.isDue(head: head.sequence, covered: max($0.covered, $0.position), now: now, signedAt: $0.at) }
        return due ? try await checkpoint(head, at: now) : nil
    }

    /// Signs and appends a checkpoint of the current head unless nothing came since the last one (shutdown).
    @discardableResult
    public func checkpointNow() async throws -> LogCheckpoint? {
        let head = log.head
        let signed = last.withLock { head.sequence <= max($0.covered, $0.position) }
        return head.sequence == 0 || signed ? nil : try await checkpoint(head, at: clock.nowMilliseconds())
    }

    private func checkpoint(_ head: LogHead, at now: Int64) async throws -> LogCheckpoint {
        let checkpoint = try LogCheckpoint.sign(head, with: key)
        let outcome = try await log.append(checkpoint.envelope(timestamp: now))
        last.withLock { $0 = (head.sequence, outcome.sequence, now) }
        return checkpoint
    }
}
