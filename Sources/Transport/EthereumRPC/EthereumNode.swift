public import EthCrypto
public import JSONCore

/// A log entry of a receipt or of `eth_getLogs`.
public struct EthereumLog: Sendable, Hashable {
    public let address: Address
    public let topics: [Hash32]
    public let data: [UInt8]
    public let transactionHash: Hash32?
    public let blockNumber: UInt64?
}

/// A mined transaction's receipt.
public struct EthereumReceipt: Sendable, Hashable {
    public let transactionHash: Hash32
    public let succeeded: Bool
    public let blockNumber: UInt64
    public let blockHash: Hash32
    public let gasUsed: UInt64
    public let effectiveGasPrice: UInt256
    public let logs: [EthereumLog]

    /// What the transaction cost its sender in gas (wei).
    public var gasCost: UInt256 { (try? UInt256(gasUsed) * effectiveGasPrice) ?? .max }
}

/// A block header's fields the settlement backend reads.
public struct EthereumBlock: Sendable, Hashable {
    public let number: UInt64
    public let hash: Hash32
    public let baseFeePerGas: UInt256
    public let timestamp: UInt64
}

/// The typed Ethereum calls the settlement backend makes, over any `EthereumRPC`.
public struct EthereumNode: Sendable {
    public let rpc: any EthereumRPC

    public init(rpc: any EthereumRPC) { self.rpc = rpc }

    public func chainID() async throws(EthereumRPCError) -> UInt64 { try await quantity("eth_chainId", []) }
    public func blockNumber() async throws(EthereumRPCError) -> UInt64 { try await quantity("eth_blockNumber", []) }

    public func balance(of account: Address) async throws(EthereumRPCError) -> UInt256 {
        try HexQuantity.uint256(try await string("eth_getBalance", [.string(account.lowercased), "latest"]))
    }

    /// The next nonce: "pending" counts transactions in the node's pool, "latest" only mined ones.
    public func transactionCount(of account: Address, pending: Bool) async throws(EthereumRPCError) -> UInt64 {
        try await quantity("eth_getTransactionCount", [.string(account.lowercased), .string(pending ? "pending" : "latest")])
    }

    /// A read-only call at the latest block, run fee-less (no gas price fields), as a view function is.
    public func call(to contract: Address, data: [UInt8], from: Address? = nil) async throws(EthereumRPCError) -> [UInt8] {
        var object: [String: JSONValue] = ["to": .string(contract.lowercased), "data": .string(HexQuantity.data(data))]
        if let from { object["from"] = .string(from.lowercased) }
        return try HexQuantity.bytes(try await string("eth_call", [.object(object), "latest"]))
    }

    public func estimateGas(from: Address, to contract: Address, data: [UInt8], value: UInt256 = .zero) async throws(EthereumRPCError) -> UInt64 {
        try await quantity("eth_estimateGas", [.object(["from": .string(from.lowercased), "to": .string(contract.lowercased),
                                                        "data": .string(HexQuantity.data(data)), "value": .string(HexQuantity.encode(value))])])
    }

    /// Broadcasts a signed transaction; returns the hash the node reports.
    public func sendRawTransaction(_ raw: [UInt8]) async throws(EthereumRPCError) -> Hash32 {
        let text = try await string("eth_sendRawTransaction", [.string(HexQuantity.data(raw))])
        do { return try Hash32(hex: text) } catch { throw .malformedResponse(method: "eth_sendRawTransaction", reason: "hash \(text)") }
    }

    /// The receipt, or nil while the transaction is not mined (or unknown).
    public func receipt(_ hash: Hash32) async throws(EthereumRPCError) -> EthereumReceipt? {
        let method = "eth_getTransactionReceipt"
        let value = try await rpc.call(method, [.string(hash.hex)])
        if value == .null { return nil }
        do {
            return EthereumReceipt(
                transactionHash: try Hash32(hex: field(value, "transactionHash", method)),
                succeeded: try HexQuantity.uint64(field(value, "status", method)) == 1,
                blockNumber: try HexQuantity.uint64(field(value, "blockNumber", method)),
                blockHash: try Hash32(hex: field(value, "blockHash", method)),
                gasUsed: try HexQuantity.uint64(field(value, "gasUsed", method)),
                effectiveGasPrice: try HexQuantity.uint256(field(value, "effectiveGasPrice", method)),
                logs: try (value["logs"]?.arrayValue ?? []).map { try Self.log($0, method) })
        } catch let error as EthereumRPCError {
            throw error
        } catch {
            throw .malformedResponse(method: method, reason: "\(error)")
        }
    }

    public func block(_ tag: String = "latest") async throws(EthereumRPCError) -> EthereumBlock {
        let method = "eth_getBlockByNumber"
        let value = try await rpc.call(method, [.string(tag), false])
        do {
            return EthereumBlock(number: try HexQuantity.uint64(field(value, "number", method)),
                                 hash: try Hash32(hex: field(value, "hash", method)),
                                 baseFeePerGas: try HexQuantity.uint256(value["baseFeePerGas"]?.stringValue ?? "0x0"),
                                 timestamp: try HexQuantity.uint64(field(value, "timestamp", method)))
        } catch let error as EthereumRPCError {
            throw error
        } catch {
            throw .malformedResponse(method: method, reason: "\(error)")
        }
    }

    /// The suggested priority fee (tip) per gas.
    public func maxPriorityFeePerGas() async throws(EthereumRPCError) -> UInt256 {
        try HexQuantity.uint256(try await string("eth_maxPriorityFeePerGas", []))
    }

    /// `eth_feeHistory`: each block's base fee (plus the next block's) and the tips at `percentiles`.
    public func feeHistory(blocks: Int, percentiles: [Double]) async throws(EthereumRPCError) -> (baseFees: [UInt256], tips: [[UInt256]]) {
        let method = "eth_feeHistory"
        let value = try await rpc.call(method, [.string(HexQuantity.encode(UInt64(blocks))), "latest", .array(percentiles.map { .double($0) })])
        guard let bases = value["baseFeePerGas"]?.arrayValue else { throw .malformedResponse(method: method, reason: "no baseFeePerGas") }
        let baseFees = try bases.map { (item: JSONValue) throws(EthereumRPCError) -> UInt256 in
            try HexQuantity.uint256(item.stringValue ?? "")
        }
        var tips: [[UInt256]] = []
        for row in value["reward"]?.arrayValue ?? [] {
            tips.append(try (row.arrayValue ?? []).map { (item: JSONValue) throws(EthereumRPCError) -> UInt256 in
                try HexQuantity.uint256(item.stringValue ?? "")
            })
        }
        return (baseFees, tips)
    }

    /// The base fee of the next block (the last entry of `eth_feeHistory`), which is what a transaction sent now pays.
    public func nextBaseFee() async throws(EthereumRPCError) -> UInt256 {
        guard let next = try await feeHistory(blocks: 1, percentiles: []).baseFees.last else {
            throw .malformedResponse(method: "eth_feeHistory", reason: "no base fees")
        }
        return next
    }

    /// Logs of `address` with `topic0` in a block range.
    public func logs(address: Address, topic0: Hash32, fromBlock: UInt64, toBlock: UInt64? = nil) async throws(EthereumRPCError) -> [EthereumLog] {
        let method = "eth_getLogs"
        let filter: JSONValue = .object([
            "address": .string(address.lowercased), "topics": [.string(topic0.hex)],
            "fromBlock": .string(HexQuantity.encode(fromBlock)), "toBlock": .string(toBlock.map(HexQuantity.encode) ?? "latest"),
        ])
        let value = try await rpc.call(method, [filter])
        guard let items = value.arrayValue else { throw .malformedResponse(method: method, reason: "not a list") }
        do { return try items.map { try Self.log($0, method) } } catch let error as EthereumRPCError { throw error } catch {
            throw .malformedResponse(method: method, reason: "\(error)")
        }
    }

    private func quantity(_ method: String, _ params: [JSONValue]) async throws(EthereumRPCError) -> UInt64 {
        do { return try HexQuantity.uint64(try await string(method, params)) } catch .malformedResponse(_, let reason) {
            throw .malformedResponse(method: method, reason: reason)
        }
    }

    private func string(_ method: String, _ params: [JSONValue]) async throws(EthereumRPCError) -> String {
        let value = try await rpc.call(method, params)
        guard let text = value.stringValue else { throw .malformedResponse(method: method, reason: "expected a string, got \(value)") }
        return text
    }

    private func field(_ value: JSONValue, _ name: String, _ method: String) throws(EthereumRPCError) -> String {
        guard let text = value[name]?.stringValue else { throw .malformedResponse(method: method, reason: "no \(name)") }
        return text
    }

    private static func log(_ value: JSONValue, _ method: String) throws -> EthereumLog {
        guard let address = value["address"]?.stringValue, let data = value["data"]?.stringValue,
              let topics = value["topics"]?.arrayValue else { throw EthereumRPCError.malformedResponse(method: method, reason: "log fields") }
        return EthereumLog(address: try Address(address), topics: try topics.map { try Hash32(hex: $0.stringValue ?? "") },
                           data: try HexQuantity.bytes(data),
                           transactionHash: try value["transactionHash"]?.stringValue.map { try Hash32(hex: $0) },
                           blockNumber: try value["blockNumber"]?.stringValue.map { try HexQuantity.uint64($0) })
    }
}
