public import EthCrypto
public import EthereumRPC

/// Signs and sends one account's EIP-1559 transactions and sees them mined: nonces from the node's pending count
/// (so a restart continues where the chain is), fees from the node's base fee and tip under a `FeePolicy`, every
/// signed version handed to the journal before it is broadcast, a stuck transaction replaced with bumped fees at the
/// same nonce, and a receipt counted only after `confirmations` blocks.
public actor TransactionSender {
    public nonisolated let address: Address
    public nonisolated let chainID: UInt64
    public nonisolated let policy: FeePolicy
    private let node: EthereumNode
    private let key: PrivateKey
    private let journal: Journal
    private let pollInterval: Duration
    private var nextNonce: UInt64?

    /// `journal` records a signed transaction durably; if it throws, the transaction is not broadcast.
    public init(node: EthereumNode, key: PrivateKey, chainID: UInt64, policy: FeePolicy = FeePolicy(), pollInterval: Duration = .milliseconds(200),
                journal: @escaping @Sendable (SignedEIP1559Transaction) async throws -> Void = { _ in }) {
        self.node = node
        self.key = key
        address = key.address
        self.chainID = chainID
        self.policy = policy
        self.pollInterval = pollInterval
        self.journal = journal
    }

    /// Records a signed transaction durably before its broadcast; if it throws, the transaction is not broadcast.
    public typealias Journal = @Sendable (SignedEIP1559Transaction) async throws -> Void

    /// A transaction and every version of it that was broadcast (replacements share its nonce).
    public struct Sent: Sendable {
        public var versions: [SignedEIP1559Transaction]
        public init(versions: [SignedEIP1559Transaction]) { self.versions = versions }
        public var latest: SignedEIP1559Transaction { versions[versions.count - 1] }
        public var nonce: UInt64 { latest.transaction.nonce }
    }

    /// Signs a transaction at the next nonce with fees from the next block's base fee, journals it (with `journal`
    /// when given, else the sender's own), broadcasts it.
    public func send(to contract: Address, data: [UInt8], value: UInt256 = .zero, gasLimit: UInt64,
                     journal: Journal? = nil) async throws(EthereumSettlementError) -> Sent {
        let baseFee = try await rpc { try await node.nextBaseFee() }
        let suggested = try await rpc { try await node.maxPriorityFeePerGas() }
        let fees = try policy.fees(baseFee: baseFee, suggestedTip: suggested)
        let needed = (try? UInt256(gasLimit) * fees.maxFee + value) ?? .max
        let balance = try await rpc { try await node.balance(of: address) }
        guard balance >= needed else { throw .insufficientBalance(account: address, balance: balance, needed: needed) }
        for attempt in 0..<2 {
            let nonce = try await nonceToUse()
            // Reserved before the next suspension: a concurrent send (the redeemer and the round initialiser share this
            // account) takes the one after.
            nextNonce = nonce + 1
            let transaction = EIP1559Transaction(chainID: chainID, nonce: nonce, maxPriorityFeePerGas: fees.tip, maxFeePerGas: fees.maxFee,
                                                 gasLimit: gasLimit, to: contract, value: value, data: data)
            let signed: SignedEIP1559Transaction
            do { signed = try sign(transaction) } catch {
                nextNonce = nil
                throw error
            }
            do {
                try await broadcast(signed, journal: journal)
                return Sent(versions: [signed])
            } catch .rpc(let error) where attempt == 0 && Self.says(error, "nonce too low") {
                nextNonce = nil
            } catch {
                // The node may or may not hold it: ask it for the nonce next time.
                nextNonce = nil
                throw error
            }
        }
        throw .notMined(nonce: nextNonce ?? 0, transactions: [])
    }

    /// Waits for one of the transaction's versions to be mined and `confirmations` deep (1 = in a block); after each
    /// `replaceAfter` without a receipt, sends a replacement with bumped fees (unless the cap forbids it).
    public func waitForReceipt(_ sent: Sent, confirmations: UInt64 = 1, replaceAfter: Duration = .seconds(30),
                               timeout: Duration = .seconds(600), journal: Journal? = nil)
        async throws(EthereumSettlementError) -> (receipt: EthereumReceipt, sent: Sent) {
        var sent = sent
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var lastBroadcast = clock.now
        while clock.now < deadline {
            for version in sent.versions.reversed() {
                guard let receipt = try await rpc({ try await node.receipt(version.hash) }) else { continue }
                if try await isConfirmed(receipt, confirmations) { return (receipt, sent) }
            }
            if clock.now - lastBroadcast >= replaceAfter {
                if let replacement = try await replace(sent.latest, journal: journal) { sent.versions.append(replacement) }
                lastBroadcast = clock.now
            }
            do { try await Task.sleep(for: pollInterval) } catch { break }
        }
        throw .notMined(nonce: sent.nonce, transactions: sent.versions.map(\.hash))
    }

    /// Sends and waits; a mined failure (status 0) is `.reverted`.
    public func execute(to contract: Address, data: [UInt8], value: UInt256 = .zero, gasLimit: UInt64, function: String,
                        confirmations: UInt64 = 1, replaceAfter: Duration = .seconds(30), timeout: Duration = .seconds(600))
        async throws(EthereumSettlementError) -> EthereumReceipt {
        let sent = try await send(to: contract, data: data, value: value, gasLimit: gasLimit)
        let (receipt, _) = try await waitForReceipt(sent, confirmations: confirmations, replaceAfter: replaceAfter, timeout: timeout)
        guard receipt.succeeded else { throw .reverted(transaction: receipt.transactionHash, function: function) }
        return receipt
    }

    /// `eth_estimateGas` of a call from this account, with a revert typed as `.wouldRevert`.
    public func estimateGas(to contract: Address, data: [UInt8], value: UInt256 = .zero, function: String) async throws(EthereumSettlementError) -> UInt64 {
        do { return try await node.estimateGas(from: address, to: contract, data: data, value: value) } catch {
            if let reason = error.revertReason { throw .wouldRevert(function: function, reason: reason) }
            throw .rpc(error)
        }
    }

    /// Sends a replacement of `previous` at the same nonce; nil when the node already has one of them or the cap
    /// leaves no room to bump.
    private func replace(_ previous: SignedEIP1559Transaction, journal: Journal?) async throws(EthereumSettlementError) -> SignedEIP1559Transaction? {
        let baseFee = try await rpc { try await node.nextBaseFee() }
        let old = previous.transaction
        guard let fees = policy.bumped(tip: old.maxPriorityFeePerGas, maxFee: old.maxFeePerGas, baseFee: baseFee) else { return nil }
        var transaction = old
        transaction.maxPriorityFeePerGas = fees.tip
        transaction.maxFeePerGas = fees.maxFee
        let signed = try sign(transaction)
        do {
            try await broadcast(signed, journal: journal)
            return signed
        } catch .rpc(let error) where Self.says(error, "nonce too low") || Self.says(error, "underpriced") {
            // Mined meanwhile (the receipt shows up next poll), or the node wants a larger bump (next round bumps again).
            return Self.says(error, "underpriced") ? signed : nil
        }
    }

    /// Broadcasts a transaction signed earlier (recovery after a restart: its raw bytes from the journal), unjournaled.
    public func rebroadcast(_ signed: SignedEIP1559Transaction) async throws(EthereumSettlementError) {
        try await broadcast(signed, journal: { _ in })
    }

    private func broadcast(_ signed: SignedEIP1559Transaction, journal: Journal?) async throws(EthereumSettlementError) {
        do { try await (journal ?? self.journal)(signed) } catch { throw .notJournaled(reason: "\(error)") }
        do {
            let hash = try await node.sendRawTransaction(signed.raw)
            guard hash == signed.hash else {
                throw EthereumSettlementError.rpc(.malformedResponse(method: "eth_sendRawTransaction", reason: "hash \(hash.hex) is not \(signed.hash.hex)"))
            }
        } catch let error as EthereumRPCError {
            if Self.says(error, "already known") { return }
            throw .rpc(error)
        } catch let error as EthereumSettlementError {
            throw error
        } catch {
            throw .encoding("\(error)")
        }
    }

    private func isConfirmed(_ receipt: EthereumReceipt, _ confirmations: UInt64) async throws(EthereumSettlementError) -> Bool {
        guard confirmations > 1 else { return true }
        let head = try await rpc { try await node.blockNumber() }
        guard head + 1 >= receipt.blockNumber + confirmations else { return false }
        // Still in the same block after the confirmations (no reorg moved it)?
        let again = try await rpc { try await node.receipt(receipt.transactionHash) }
        return again?.blockHash == receipt.blockHash
    }

    private func nonceToUse() async throws(EthereumSettlementError) -> UInt64 {
        let pending = try await rpc { try await node.transactionCount(of: address, pending: true) }
        return max(pending, nextNonce ?? 0)
    }

    private func sign(_ transaction: EIP1559Transaction) throws(EthereumSettlementError) -> SignedEIP1559Transaction {
        do { return try transaction.signed(with: key) } catch { throw .encoding("\(error)") }
    }

    private func rpc<T>(_ body: () async throws -> T) async throws(EthereumSettlementError) -> T {
        do { return try await body() } catch let error as EthereumRPCError { throw .rpc(error) } catch { throw .encoding("\(error)") }
    }

    private static func says(_ error: EthereumRPCError, _ text: String) -> Bool {
        if case .node(_, _, let message, _) = error { return message.lowercased().contains(text) }
        return false
    }
}
