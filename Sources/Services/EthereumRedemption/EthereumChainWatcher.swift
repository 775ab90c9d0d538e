import EthCrypto
import EthereumRPC
public import EthereumSettlement
import Logging
public import Payments
public import ServiceLifecycle
import Settlement
import Synchronization

/// Follows a real chain for the node: every `interval` it reads the block number, Livepeer's last initialised round
/// and its block hash, and the next block's base fee plus the tip, and keeps them as the `ValidationContext` tickets must
/// name (the recipient prices tickets at that gas price). An HTTP JSON-RPC node has no push, so this is the one
/// poller; readers subscribe to `changes()`. A failed read keeps the last context and is logged.
public final class EthereumChainWatcher: Service, Sendable {
    public let reader: LivepeerReader
    public let interval: Duration
    private let state: Mutex<ValidationContext>
    private let subscribers = LatestValueSubscribers<ValidationContext>()
    private let logger = Logger(label: "chain-watcher")

    /// Reads the chain once (so the node starts with a real context), then follows it in `run()`.
    public static func start(reader: LivepeerReader, interval: Duration) async throws(EthereumSettlementError) -> EthereumChainWatcher {
        EthereumChainWatcher(reader: reader, interval: interval, initial: try await read(reader, known: [:]))
    }

    init(reader: LivepeerReader, interval: Duration, initial: ValidationContext) {
        self.reader = reader
        self.interval = interval
        state = Mutex(initial)
    }

    /// The chain as tickets must name it now.
    public var context: ValidationContext { state.withLock { $0 } }

    /// Each new context (a new block, round or gas price), newest only.
    public func changes() -> AsyncStream<ValidationContext> { subscribers.subscribe() }

    public func run() async throws {
        defer { subscribers.finish() }
        while true {
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) } } catch { return }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            do {
                let next = try await Self.read(reader, known: context.roundBlockHashes)
                let changed = state.withLock { current in
                    defer { current = next }
                    return current != next
                }
                if changed { subscribers.publish(next) }
            } catch {
                logger.warning("chain read failed; keeping the last context", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Block, the last initialised round (tickets name it: a round nobody initialised yet has no block hash) with the
    /// block hashes of it and the round before (tickets of either may still arrive), gas.
    static func read(_ reader: LivepeerReader, known: [Int64: Hash32]) async throws(EthereumSettlementError) -> ValidationContext {
        let node = reader.node
        let block: UInt64, baseFee: UInt256, tip: UInt256
        do {
            block = try await node.blockNumber()
            baseFee = try await node.nextBaseFee()
            tip = try await node.maxPriorityFeePerGas()
        } catch { throw .rpc(error) }
        let round = try await reader.lastInitializedRound()
        var hashes: [Int64: Hash32] = [:]
        for candidate in [round, round > 0 ? round - 1 : round] {
            let key = Int64(candidate)
            if let hash = known[key], hash != .zero { hashes[key] = hash; continue }
            let hash = try await reader.blockHashForRound(candidate)
            if hash != .zero { hashes[key] = hash }
        }
        return ValidationContext(currentBlock: block, currentRound: Int64(round), roundBlockHashes: hashes,
                                 gasPrice: (try? baseFee + tip) ?? baseFee)
    }
}
