/// Runs `operation` for at most `limit`. Whichever ends first wins and the other is cancelled: the timer when the
/// operation finishes, the operation when the timer fires (it must end promptly once cancelled; its result is
/// then dropped and `onTimeout()` returned). The one timeout of the code base: no timer outlives its operation.
public func withTimeout<T: Sendable>(_ limit: Duration, onTimeout: @escaping @Sendable () -> T,
                                     _ operation: @escaping @Sendable () async -> T) async -> T {
    return await withTaskGroup(of: TimeoutRace<T>.self) { group in
        group.addTask { .finished(await operation()) }
        group.addTask {
            do {
                try await Task.sleep(for: limit)
                return .timedOut
            } catch { return .timerCancelled }
        }
        var result: T?
        while let outcome = await group.next() {
            switch outcome {
            case .finished(let value):
                if result == nil { result = value }
                group.cancelAll()
            case .timedOut:
                result = onTimeout()
                group.cancelAll()
            case .timerCancelled:
                continue
            }
        }
        return result ?? onTimeout()
    }
}

/// How each side of `withTimeout`'s race ended.
private enum TimeoutRace<T: Sendable>: Sendable {
    case finished(T)
    case timedOut
    case timerCancelled
}
