public import EthCrypto
public import EthereumRPC

/// Why a settlement step on an Ethereum chain could not be taken, typed so a caller can wait, retry or give up.
public enum EthereumSettlementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The node is not on the chain the operator named.
    case wrongChain(expected: UInt64, actual: UInt64)
    /// The Controller has no address registered for a contract Livepeer deploys (or the address has no code).
    case contractMissing(name: String, controller: Address)
    /// The node's answer to a contract call did not decode as the function's outputs.
    case undecodable(function: String, reason: String)
    /// The JSON-RPC call failed (timeout, transport, garbage, node error); `isTransient` says whether to retry.
    case rpc(EthereumRPCError)
    /// The next block's base fee plus tip is above the operator's cap: the transaction is not sent (wait for cheaper gas).
    case gasPriceAboveCap(baseFee: UInt256, cap: UInt256)
    /// The account cannot pay for the transaction's gas at its fee cap.
    case insufficientBalance(account: Address, balance: UInt256, needed: UInt256)
    /// A transaction would revert (found by `eth_estimateGas` or `eth_call`), with the contract's reason.
    case wouldRevert(function: String, reason: String)
    /// A mined transaction failed (status 0).
    case reverted(transaction: Hash32, function: String)
    /// No receipt for any of the transaction's versions within the deadline; it may still be mined later.
    case notMined(nonce: UInt64, transactions: [Hash32])
    /// The journal could not record a signed transaction before its broadcast, so it was not broadcast.
    case notJournaled(reason: String)
    /// Signing or encoding failed (a bug or a bad key).
    case encoding(String)

    public var description: String {
        switch self {
        case .wrongChain(let expected, let actual): "the node is on chain \(actual), not \(expected)"
        case .contractMissing(let name, let controller): "the Controller \(controller.checksummed) has no \(name)"
        case .undecodable(let function, let reason): "\(function): answer does not decode: \(reason)"
        case .rpc(let error): "\(error)"
        case .gasPriceAboveCap(let baseFee, let cap): "base fee \(baseFee) wei is above the cap \(cap) wei: waiting for cheaper gas"
        case .insufficientBalance(let account, let balance, let needed):
            "\(account.checksummed) holds \(balance) wei, the transaction may cost \(needed) wei"
        case .wouldRevert(let function, let reason): "\(function) would revert: \(reason)"
        case .reverted(let transaction, let function): "\(function) transaction \(transaction.hex) reverted"
        case .notMined(let nonce, let transactions):
            "nonce \(nonce): none of \(transactions.map(\.hex).joined(separator: ", ")) mined before the deadline"
        case .notJournaled(let reason): "the signed transaction was not recorded, so not sent: \(reason)"
        case .encoding(let reason): "cannot build the transaction: \(reason)"
        }
    }

    /// Whether waiting and trying again may succeed.
    public var isTransient: Bool {
        switch self {
        case .rpc(let error): error.isTransient
        case .gasPriceAboveCap, .notMined: true
        default: false
        }
    }
}
