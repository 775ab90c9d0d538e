import Dispatch
public import EventLog
import Synchronization

extension ProjectionHost {
    /// Returns once every hosted projection has applied `sequence` (read-your-writes after an append). Throws when
    /// the host fails or stops first, or the task is cancelled.
    public func waitUntilApplied(through sequence: UInt64) async throws(ProjectionHostError) {
        let token = core.withLock { core in
            core.nextToken += 1
            return core.nextToken
        }
        let outcome: ProjectionHostError? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ProjectionHostError?, Never>) in
                let now: ProjectionHostError?? = core.withLock { core in
                    if core.applied >= sequence { return .some(nil) }
                    if let failure = core.failure { return .some(failure) }
                    if core.finished { return .some(.stopped) }
                    if Task.isCancelled { return .some(.cancelled) }
                    core.waiters[token] = (sequence, continuation)
                    return .none
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            core.withLock { $0.waiters.removeValue(forKey: token) }?.continuation.resume(returning: .cancelled)
        }
        if let outcome { throw outcome }
    }

    /// Returns once the event with `id` is in the log and every hosted projection has applied it: how a writer
    /// that appended through a sink (the Kafka topics in distributed mode, where the log lags) reads its own write.
    public func waitUntilApplied(eventID id: String) async throws(ProjectionHostError) {
        let token = core.withLock { core in
            core.nextToken += 1
            return core.nextToken
        }
        let log = log
        let outcome: ProjectionHostError? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ProjectionHostError?, Never>) in
                let early: ProjectionHostError? = core.withLock { core in
                    if let failure = core.failure { return failure }
                    if core.finished { return .stopped }
                    if Task.isCancelled { return .cancelled }
                    core.idWaiters[token] = (id, continuation)
                    return nil
                }
                if let early {
                    continuation.resume(returning: early)
                    return
                }
                // Registered first, looked up second: an event applied in between is caught by one or the other.
                Self.readQueue.async { [self] in
                    let found: Result<UInt64?, any Error> = Result { try log.sequence(ofID: id) }
                    let resume: ProjectionHostError?? = core.withLock { core in
                        guard core.idWaiters[token] != nil else { return .none }  // the apply loop already resumed it
                        switch found {
                        case .failure(let error):
                            core.idWaiters.removeValue(forKey: token)
                            return .some(.readFailed("\(error)"))
                        case .success(let sequence?) where sequence <= core.applied:
                            core.idWaiters.removeValue(forKey: token)
                            return .some(nil)
                        case .success(let sequence?):
                            core.idWaiters.removeValue(forKey: token)
                            core.waiters[token] = (sequence, continuation)
                            return .none
                        case .success(nil):
                            return .none
                        }
                    }
                    if let resume { continuation.resume(returning: resume) }
                }
            }
        } onCancel: {
            let waiting = core.withLock { core in
                core.idWaiters.removeValue(forKey: token)?.continuation ?? core.waiters.removeValue(forKey: token)?.continuation
            }
            waiting?.resume(returning: .cancelled)
        }
        if let outcome { throw outcome }
    }

    /// The applied sequence each time it advances: the current one first, then the newest (a slow reader skips to
    /// it; the buffer holds one). Ends when the host stops.
    public func updates() -> AsyncStream<UInt64> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let token: UInt64? = core.withLock { core in
                continuation.yield(core.applied)
                guard !core.finished, core.failure == nil else { return nil }
                core.nextToken += 1
                core.subscribers[core.nextToken] = continuation
                return core.nextToken
            }
            guard let token else {
                continuation.finish()
                return
            }
            continuation.onTermination = { [weak self] _ in
                self?.core.withLock { _ = $0.subscribers.removeValue(forKey: token) }
            }
        }
    }

    /// Ends the host: waiters get `failure` (or `.stopped`), subscribers' sequences finish.
    func stop(failing failure: ProjectionHostError?) {
        let (waiters, subscribers) = core.withLock { core in
            core.finished = true
            if let failure, core.failure == nil { core.failure = failure }
            let waiters = Array(core.waiters.values.map(\.continuation)) + core.idWaiters.values.map(\.continuation)
            let subscribers = Array(core.subscribers.values)
            core.waiters = [:]
            core.idWaiters = [:]
            core.subscribers = [:]
            return (waiters, subscribers)
        }
        let reason = failure ?? .stopped
        for waiter in waiters { waiter.resume(returning: reason) }
        for subscriber in subscribers { subscriber.finish() }
    }
}
