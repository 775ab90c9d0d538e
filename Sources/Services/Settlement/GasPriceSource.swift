public import EthCrypto
import Synchronization

/// The gas price the redeemer plans at, and its changes: set by whatever watches the chain's price (a fixed
/// price never changes). Subscribers see the newest price (the buffer holds one).
public final class GasPriceSource: Sendable {
    private let state: Mutex<(price: UInt256, next: UInt64, subscribers: [UInt64: AsyncStream<UInt256>.Continuation])>

    public init(_ price: UInt256) { state = Mutex((price, 0, [:])) }

    /// The price in force now.
    public var current: UInt256 { state.withLock { $0.price } }

    /// Sets the price; subscribers are told when it changed.
    public func set(_ price: UInt256) {
        let subscribers: [AsyncStream<UInt256>.Continuation] = state.withLock { state in
            guard state.price != price else { return [] }
            state.price = price
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.yield(price) }
    }

    /// Each new price after the call.
    public func changes() -> AsyncStream<UInt256> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let token = state.withLock { state in
                state.next += 1
                state.subscribers[state.next] = continuation
                return state.next
            }
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.subscribers.removeValue(forKey: token) }
            }
        }
    }
}
