public import EthCrypto
import Synchronization

/// The gas price the redeemer plans at, and its changes: set by whatever watches the chain's price (a fixed
/// price never changes). Subscribers see the newest price (the buffer holds one).
public final class GasPriceSource: Sendable {
    private let price: Mutex<UInt256>
    private let subscribers = LatestValueSubscribers<UInt256>()

    public init(_ price: UInt256) { self.price = Mutex(price) }

    /// The price in force now.
    public var current: UInt256 { price.withLock { $0 } }

    /// Sets the price; subscribers are told when it changed.
    public func set(_ price: UInt256) {
        let changed = self.price.withLock { current in
            defer { current = price }
            return current != price
        }
        if changed { subscribers.publish(price) }
    }

    /// Each new price after the call.
    public func changes() -> AsyncStream<UInt256> { subscribers.subscribe() }
}
