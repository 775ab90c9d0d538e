public import EthABI
public import EthCrypto
public import EthereumRPC

extension TransactionSender {
    /// Calls a contract function in a transaction: gas from `eth_estimateGas` (a revert there is `.wouldRevert` with
    /// the contract's reason, and nothing is sent) plus `marginPercent`, then sent and waited for; status 0 is `.reverted`.
    public func invoke(_ function: ABIFunction, on contract: Address, _ arguments: [ABIValue] = [], value: UInt256 = .zero,
                       marginPercent: UInt64 = 20, confirmations: UInt64 = 1) async throws(EthereumSettlementError) -> EthereumReceipt {
        let data: [UInt8]
        do { data = try function.callData(arguments) } catch { throw .encoding("\(function.name): \(error)") }
        let gas = try await estimateGas(to: contract, data: data, value: value, function: function.name)
        return try await execute(to: contract, data: data, value: value, gasLimit: gas + gas * marginPercent / 100,
                                 function: function.name, confirmations: confirmations)
    }
}
