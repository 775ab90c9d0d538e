public import EthCrypto

/// A settlement chain with Livepeer's TicketBroker and staking semantics, as the redeemer and the reports
/// use it. `LocalChain` is the embedded implementation (deterministic, in LMDB); a JSON-RPC client for a
/// real chain would be another.
public protocol SettlementChain: AnyObject, Sendable {
    /// The chain's state as of the latest block.
    var state: ChainState { get }
    /// Runs a transaction once per `id`; a repeated id returns the first receipt.
    func submit(_ transaction: ChainTransaction, from caller: Address, gasPrice: UInt256, id: String) throws -> ChainReceipt
    /// The receipt of a transaction sent earlier, if the chain has it.
    func receipt(id: String) throws -> ChainReceipt?
    /// Mines blocks (the embedded chain) or waits for them (a real one).
    func advance(blocks: UInt64) throws
}

extension LocalChain: SettlementChain {}
