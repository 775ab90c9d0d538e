import EthCrypto
import EventLog
import EventModel
import Foundation
import Logging
import Payments
import Settlement

/// The node's settlement side in distributed mode: the chain its tickets name (rounds, block hashes, gas price)
/// and its redeemer, which cashes the winning tickets the log sink has stored, on a thread of its own (LMDB and
/// chain calls block). With the embedded chain, the node also advances it a block every `blockSeconds`, as a
/// development chain mines on a timer.
final class NodeSettlement: @unchecked Sendable {
    // @unchecked: `redemption` is used only on the redeemer thread; `stopping` and `started` are guarded by `lock`.
    let chain: LocalChain
    let gasPrice: UInt256
    private let redemption: RedemptionService
    private let redeemEvery: Double
    private let blockSeconds: Double
    private let lock = NSLock()
    private var stopping = false
    private var started = false
    private let stopped = DispatchSemaphore(value: 0)
    private static let logger = Logger(label: "redeemer")

    init(chainDirectory: String, log: EventLog, orchestrator: Address, gasPrice: UInt256, minBatch: Int,
         redeemEvery: Double, blockSeconds: Double) throws {
        chain = try LocalChain(directory: chainDirectory, genesis: ChainState(config: ChainConfig()), log: log)
        self.gasPrice = gasPrice
        redemption = try RedemptionService(chain: chain, log: log, orchestrator: orchestrator,
                                           redeemer: Redeemer(policy: RedeemerPolicy(minBatch: minBatch)), clock: SystemClock())
        self.redeemEvery = redeemEvery
        self.blockSeconds = blockSeconds
    }

    /// The chain as tickets must name it now.
    var context: ValidationContext {
        let state = chain.state
        return ValidationContext(currentBlock: state.block, currentRound: state.round, roundBlockHashes: state.roundBlockHashes,
                                 gasPrice: gasPrice)
    }

    /// Recovers what a crash left in flight, then redeems every `redeemEvery` seconds until `stop()`.
    func start() {
        lock.withLock { started = true }
        let thread = Thread { [self] in
            do {
                let recovered = try redemption.recover()
                if recovered > 0 { Self.logger.info("recovered \(recovered) redemptions in flight") }
            } catch { Self.logger.error("recovery failed: \(error)") }
            var lastRedeem = Date.distantPast, lastBlock = Date()
            while !lock.withLock({ stopping }) {
                if blockSeconds > 0, Date().timeIntervalSince(lastBlock) >= blockSeconds {
                    lastBlock = Date()
                    do { try chain.advance(blocks: 1) } catch { Self.logger.error("advancing the chain failed: \(error)") }
                }
                if Date().timeIntervalSince(lastRedeem) >= redeemEvery {
                    lastRedeem = Date()
                    do {
                        let step = try redemption.step(gasPrice: gasPrice)
                        if step.redeemed > 0 || step.expired > 0 {
                            Self.logger.info("redeemed \(step.redeemed) tickets, \(step.expired) expired, \(step.deferred) deferred")
                        }
                    } catch { Self.logger.error("redemption step failed: \(error)") }
                }
                usleep(50_000)
            }
            stopped.signal()
        }
        thread.name = "streamflow.redeemer"
        thread.start()
    }

    func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            defer { stopping = true }
            return started && !stopping
        }
        if wasRunning { stopped.wait() }
    }
}
