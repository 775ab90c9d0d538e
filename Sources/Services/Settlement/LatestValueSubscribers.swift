import Synchronization

/// Readers of a value that changes (a gas price, a block number): each `subscribe()` is a stream that holds the
/// newest value only (a slow reader skips to it); `publish` tells every reader; `finish` ends them all.
public final class LatestValueSubscribers<Value: Sendable>: Sendable {
    public init() {}
    private let state = Mutex<(next: UInt64, all: [UInt64: AsyncStream<Value>.Continuation])>((0, [:]))

    public func subscribe() -> AsyncStream<Value> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let token = state.withLock { state in
                state.next += 1
                state.all[state.next] = continuation
                return state.next
            }
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.all.removeValue(forKey: token) }
            }
        }
    }

    public func publish(_ value: Value) {
        for subscriber in state.withLock({ Array($0.all.values) }) { subscriber.yield(value) }
    }

    public func finish() {
        for subscriber in state.withLock({ Array($0.all.values) }) { subscriber.finish() }
    }
}
