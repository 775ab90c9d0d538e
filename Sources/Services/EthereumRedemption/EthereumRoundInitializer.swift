public import EthCrypto
public import EthereumRPC
public import EthereumSettlement
import LivepeerABI
import Logging
public import ServiceLifecycle

/// go-livepeer's `-initializeRound`: when the chain has entered a round that nobody has initialised, the node calls
/// `RoundsManager.initializeRound()` itself (tickets, redemptions and the active set all wait for it). Woken by the
/// chain watcher; the call is first tried with `eth_estimateGas`, so a round another node initialised first costs
/// nothing. A failure is logged and tried again on the next change.
public final class EthereumRoundInitializer: Service, Sendable {
    public let reader: LivepeerReader
    public let sender: TransactionSender
    public let watcher: EthereumChainWatcher
    private let logger = Logger(label: "round-initializer")

    public init(reader: LivepeerReader, sender: TransactionSender, watcher: EthereumChainWatcher) {
        self.reader = reader
        self.sender = sender
        self.watcher = watcher
    }

    public func run() async throws {
        try await initializeLogged()
        for await _ in watcher.changes().cancelOnGracefulShutdown() {
            try await initializeLogged()
        }
    }

    private func initializeLogged() async throws {
        do {
            if let (round, receipt) = try await initializeIfDue() {
                logger.info("round initialised", metadata: ["round": "\(round)", "transaction": "\(receipt.transactionHash.hex)",
                                                            "gas-used": "\(receipt.gasUsed)"])
            }
        } catch {
            logger.warning("round initialisation failed; trying again on the next block", metadata: ["error": "\(error)"])
        }
    }

    /// Initialises the current round if it is not yet; the round and the receipt, or nil when there was nothing to do.
    public func initializeIfDue() async throws(EthereumSettlementError) -> (round: UInt64, receipt: EthereumReceipt)? {
        let round = try await reader.currentRound()
        guard try await reader.lastInitializedRound() < round else { return nil }
        do {
            return (round, try await sender.invoke(LivepeerFunctions.RoundsManager.initializeRound, on: reader.deployment.roundsManager))
        } catch {
            // "round already initialized": another node was first, between the read and the estimate.
            if case .wouldRevert(_, let reason) = error, reason.lowercased().contains("already initialized") { return nil }
            throw error
        }
    }
}
