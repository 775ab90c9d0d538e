public import EthCrypto
public import Settlement
import Synchronization

/// The settlement chain of the simulation: Livepeer's TicketBroker and staking rules as the embedded chain runs them
/// (`ChainState`), held in memory behind the `SettlementChain` protocol the redeemer uses. The fault plan can make the
/// next submission vanish before it is mined, or be mined with its answer lost on the way back.
public final class SimulatedChain: SettlementChain, Sendable {
    /// What the next `submit` suffers.
    public enum SubmitFault: Sendable, Equatable {
        /// The node never hears back and the chain never sees it.
        case dropped
        /// Mined, but the answer is lost: the redeemer must find the receipt later (`recover()`).
        case answerLost
    }

    /// Why a submission did not come back.
    public enum SubmitError: Error, Sendable, Equatable, CustomStringConvertible {
        case dropped
        case answerLost
        public var description: String {
            switch self {
            case .dropped: "the transaction was dropped before it was mined"
            case .answerLost: "the connection broke before the receipt came back"
            }
        }
    }

    private struct State {
        var chain: ChainState
        var receipts: [String: ChainReceipt] = [:]
        var nextFault: SubmitFault?
    }

    private let current: Mutex<State>

    public init(genesis: ChainState) { current = Mutex(State(chain: genesis)) }

    public var state: ChainState { current.withLock { $0.chain } }

    /// The next submission suffers `fault` (nil: none).
    public func failNextSubmission(_ fault: SubmitFault?) { current.withLock { $0.nextFault = fault } }

    public func submit(_ transaction: ChainTransaction, from caller: Address, gasPrice: UInt256, id: String) throws -> ChainReceipt {
        try current.withLock { (state) throws(SubmitError) -> ChainReceipt in
            if let earlier = state.receipts[id] { return earlier }
            let fault = state.nextFault
            state.nextFault = nil
            if fault == .dropped { throw .dropped }
            let receipt = state.chain.execute(transaction, from: caller, gasPrice: gasPrice)
            state.receipts[id] = receipt
            if fault == .answerLost { throw .answerLost }
            return receipt
        }
    }

    public func receipt(id: String) throws -> ChainReceipt? { current.withLock { $0.receipts[id] } }

    public func advance(blocks: UInt64) throws { current.withLock { $0.chain.advance(blocks: blocks) } }
}
