/// An EIP-1559 (type 2) transaction: the fields a sender signs, its signing digest and, once signed, the raw
/// bytes for `eth_sendRawTransaction` and the transaction hash. The access list is always empty.
public struct EIP1559Transaction: Sendable, Hashable {
    public var chainID: UInt64
    public var nonce: UInt64
    public var maxPriorityFeePerGas: UInt256
    public var maxFeePerGas: UInt256
    public var gasLimit: UInt64
    /// The callee; nil creates a contract.
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]

    public init(chainID: UInt64, nonce: UInt64, maxPriorityFeePerGas: UInt256, maxFeePerGas: UInt256, gasLimit: UInt64,
                to: Address?, value: UInt256 = .zero, data: [UInt8] = []) {
        self.chainID = chainID
        self.nonce = nonce
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
    }

    static let typeByte: UInt8 = 0x02

    private var fieldItems: [RLP] {
        [.uint(chainID), .uint(nonce), .uint(maxPriorityFeePerGas), .uint(maxFeePerGas), .uint(gasLimit),
         .bytes(to?.bytes ?? []), .uint(value), .bytes(data), .list([])]
    }

    /// keccak256(0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value, data, accessList])).
    public var signingDigest: Hash32 { Keccak256.hash([Self.typeByte] + RLP.list(fieldItems).encoded) }

    /// Signs with `key`: the signature's recovery id becomes yParity.
    public func signed(with key: PrivateKey) throws(EthCryptoError) -> SignedEIP1559Transaction {
        let signature = try key.sign(digest: signingDigest)
        return SignedEIP1559Transaction(transaction: self, signature: signature)
    }

    /// The signed form's bytes for this transaction and `signature`.
    func raw(signature: Signature) -> [UInt8] {
        let bytes = signature.bytes
        let items = fieldItems + [.uint(UInt64(bytes[64] - 27)),
                                  .bytes(Array(bytes[0..<32].drop { $0 == 0 })),
                                  .bytes(Array(bytes[32..<64].drop { $0 == 0 }))]
        return [Self.typeByte] + RLP.list(items).encoded
    }
}

/// A signed type-2 transaction: the raw bytes a node accepts, and the hash it will be known by.
public struct SignedEIP1559Transaction: Sendable, Hashable {
    public let transaction: EIP1559Transaction
    public let signature: Signature
    public let raw: [UInt8]
    public let hash: Hash32

    public init(transaction: EIP1559Transaction, signature: Signature) {
        self.transaction = transaction
        self.signature = signature
        raw = transaction.raw(signature: signature)
        hash = Keccak256.hash(raw)
    }

    /// Decodes raw type-2 bytes (as a log event stores them) and checks the signature recovers.
    public init(raw: [UInt8]) throws(EthCryptoError) {
        guard raw.first == EIP1559Transaction.typeByte else { throw .malformedTransaction("not a type-2 transaction") }
        let items: [RLP]
        do { items = try RLP.decode(raw.dropFirst()).items() } catch { throw .malformedTransaction("RLP: \(error)") }
        guard items.count == 12 else { throw .malformedTransaction("\(items.count) fields, expected 12") }
        do {
            func small(_ item: RLP) throws -> UInt64 {
                guard let value = try item.uint256().uint64Value else { throw RLPError.integerTooLarge }
                return value
            }
            let toBytes = try items[5].byteString()
            guard toBytes.isEmpty || toBytes.count == 20 else { throw RLPError.expectedBytes }
            guard try items[8].items().isEmpty else { throw RLPError.expectedList }
            let transaction = EIP1559Transaction(
                chainID: try small(items[0]), nonce: try small(items[1]), maxPriorityFeePerGas: try items[2].uint256(),
                maxFeePerGas: try items[3].uint256(), gasLimit: try small(items[4]),
                to: toBytes.isEmpty ? nil : try Address(bytes: toBytes), value: try items[6].uint256(),
                data: try items[7].byteString())
            let parity = try small(items[9])
            guard parity <= 1 else { throw EthCryptoError.malformedTransaction("yParity \(parity)") }
            let r = try items[10].uint256().bigEndianBytes, s = try items[11].uint256().bigEndianBytes
            let signature = try Signature(bytes: r + s + [UInt8(27 + parity)])
            self.init(transaction: transaction, signature: signature)
        } catch let error as EthCryptoError {
            throw error
        } catch {
            throw .malformedTransaction("\(error)")
        }
        guard self.raw == raw else { throw .malformedTransaction("not in canonical form") }
    }

    /// The account that signed it.
    public func sender() throws(EthCryptoError) -> Address {
        try signature.recoverAddress(digest: transaction.signingDigest)
    }
}
