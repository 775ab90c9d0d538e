public import Logging
public import ServiceLifecycle
import Synchronization

/// Mines a block on the embedded development chain every `interval`, as a dev chain mines on a timer, and tells
/// subscribers the new block number (the redeemer wakes on it: rounds pass, tickets near expiry). Stops at
/// graceful shutdown. The chain's write (LMDB, fsync) runs off the cooperative pool.
public final class ChainTicker: Service, Sendable {
    public let chain: any SettlementChain
    public let interval: Duration
    private let logger: Logger
    private let subscribers = LatestValueSubscribers<UInt64>()

    public init(chain: any SettlementChain, every interval: Duration, logger: Logger = Logger(label: "chain-ticker")) {
        self.chain = chain
        self.interval = interval
        self.logger = logger
    }

    /// The chain's block number after each block mined (the newest only, when the reader is slow).
    public func blocks() -> AsyncStream<UInt64> { subscribers.subscribe() }

    public func run() async throws {
        defer { subscribers.finish() }
        let chain = chain
        while true {
            let interval = interval
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            let block = try await BlockingCalls.run { () throws -> UInt64 in
                try chain.advance(blocks: 1)
                return chain.state.block
            }
            subscribers.publish(block)
        }
    }
}
