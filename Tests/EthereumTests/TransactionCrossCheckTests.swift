import EthCrypto
import Foundation
import Testing
import TestSupport

/// EIP-1559 transactions signed here, decoded and recovered by eth-account (and RLP checked by pyrlp).
@Suite("EIP-1559 transactions cross-checked with eth-account")
struct TransactionCrossCheckTests {
    struct Case: Codable {
        var key: String, chainId: UInt64, nonce: UInt64, tip: String, maxFee: String, gas: UInt64
        var to: String?, value: String, data: String
        var raw: String, hash: String, sender: String
    }

    static func randomTransaction(_ index: Int) throws -> EIP1559Transaction {
        let data = try SecureRandom.bytes([0, 1, 4, 55, 56, 300, 70_000][index % 7])
        return EIP1559Transaction(
            chainID: [1, 42161, 131277322940537, UInt64.random(in: 0...UInt64.max)][index % 4],
            nonce: index % 5 == 0 ? 0 : UInt64.random(in: 0...UInt64.max >> (index % 60)),
            maxPriorityFeePerGas: UInt256(UInt64.random(in: 0...1 << 40) >> (index % 40)),
            maxFeePerGas: try UInt256(bigEndian: SecureRandom.bytes(16)),
            gasLimit: UInt64.random(in: 21_000...30_000_000),
            to: index % 9 == 0 ? nil : try Address(bytes: SecureRandom.bytes(20)),
            value: index % 3 == 0 ? .zero : try UInt256(bigEndian: SecureRandom.bytes(1 + index % 32)),
            data: data)
    }

    @Test("200 random transactions: eth-account signs the same bytes, recovers our sender and hash")
    func randomTransactions() throws {
        var cases: [Case] = []
        for index in 0..<200 {
            let key = try PrivateKey.generate()
            let transaction = try Self.randomTransaction(index)
            let signed = try transaction.signed(with: key)
            #expect(try signed.sender() == key.address)
            let decoded = try SignedEIP1559Transaction(raw: signed.raw)
            #expect(decoded == signed)
            cases.append(Case(key: Hex.encode(key.exportSecret()), chainId: transaction.chainID, nonce: transaction.nonce,
                              tip: transaction.maxPriorityFeePerGas.description, maxFee: transaction.maxFeePerGas.description,
                              gas: transaction.gasLimit, to: transaction.to?.checksummed, value: transaction.value.description,
                              data: Hex.encode(transaction.data), raw: Hex.encode(signed.raw), hash: signed.hash.hex,
                              sender: key.address.checksummed))
        }
        let script = """
            import sys, json, rlp
            from eth_account import Account
            from eth_account.typed_transactions import TypedTransaction
            from hexbytes import HexBytes
            bad = []
            for c in json.load(sys.stdin):
                tx = {"type": 2, "chainId": c["chainId"], "nonce": c["nonce"], "maxPriorityFeePerGas": int(c["tip"]),
                      "maxFeePerGas": int(c["maxFee"]), "gas": c["gas"], "value": int(c["value"]), "data": c["data"],
                      "accessList": []}
                if c.get("to") is not None: tx["to"] = c["to"]
                else: tx["to"] = b""
                signed = Account.sign_transaction(tx, c["key"])
                raw = "0x" + bytes(signed.raw_transaction).hex()
                if raw != c["raw"]: bad.append(("raw", c["nonce"], raw[:80], c["raw"][:80])); continue
                if "0x" + bytes(signed.hash).hex() != c["hash"]: bad.append(("hash", c["nonce"]))
                if Account.recover_transaction(c["raw"]) != c["sender"]: bad.append(("sender", c["nonce"]))
                decoded = TypedTransaction.from_bytes(HexBytes(c["raw"])).as_dict()
                if decoded["chainId"] != c["chainId"] or decoded["gas"] != c["gas"]: bad.append(("fields", c["nonce"]))
                rlp.decode(bytes.fromhex(c["raw"][4:]))  # strict canonical RLP
            print(json.dumps(bad))
            """
        let bad = try PythonOracle.json(script: script, input: cases, as: [[String]].self)
        #expect(bad.isEmpty, "\(bad.prefix(3))")
    }

    @Test("a known vector: eth-account's bytes for a fixed key and transaction")
    func fixedVector() throws {
        let key = try PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        let transaction = EIP1559Transaction(chainID: 1, nonce: 0, maxPriorityFeePerGas: UInt256(2_000_000_000),
                                             maxFeePerGas: UInt256(3_000_000_000), gasLimit: 21_000,
                                             to: try Address("0x5fbdb2315678afecb367f032d93f642f64180aa3"),
                                             value: UInt256(1_000_000_000_000_000_000))
        let signed = try transaction.signed(with: key)
        let script = """
            from eth_account import Account
            s = Account.sign_transaction({"type": 2, "chainId": 1, "nonce": 0, "maxPriorityFeePerGas": 2000000000,
                "maxFeePerGas": 3000000000, "gas": 21000, "to": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "value": 10**18, "data": b"", "accessList": []}, "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
            print("0x" + bytes(s.raw_transaction).hex())
            """
        let expected = String(decoding: try PythonOracle.run(script: script), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Hex.encode(signed.raw) == expected)
    }

    @Test("malformed raw transactions are refused with a typed reason")
    func malformed() throws {
        let key = try PrivateKey.generate()
        let signed = try Self.randomTransaction(1).signed(with: key)
        var wrongType = signed.raw
        wrongType[0] = 0x01
        var cut = signed.raw
        cut.removeLast()
        for raw in [wrongType, cut, [0x02], [0x02, 0xC0], signed.raw + [0x00]] {
            #expect(throws: EthCryptoError.self) { try SignedEIP1559Transaction(raw: raw) }
        }
    }

    @Test("RLP: canonical encodings of the spec's examples, and non-canonical input refused")
    func rlpExamples() throws {
        #expect(RLP.bytes(Array("dog".utf8)).encoded == [0x83, 0x64, 0x6F, 0x67])
        #expect(RLP.list([.bytes(Array("cat".utf8)), .bytes(Array("dog".utf8))]).encoded
                == [0xC8, 0x83, 0x63, 0x61, 0x74, 0x83, 0x64, 0x6F, 0x67])
        #expect(RLP.bytes([]).encoded == [0x80])
        #expect(RLP.list([]).encoded == [0xC0])
        #expect(RLP.uint(UInt64(0)).encoded == [0x80])
        #expect(RLP.uint(UInt64(15)).encoded == [0x0F])
        #expect(RLP.uint(UInt64(1024)).encoded == [0x82, 0x04, 0x00])
        let long = [UInt8](repeating: 0x61, count: 56)
        #expect(RLP.bytes(long).encoded == [0xB8, 56] + long)
        #expect(try RLP.decode([0xB8, 56] + long) == .bytes(long))
        #expect(throws: RLPError.nonCanonical) { try RLP.decode([0x81, 0x05]) }
        #expect(throws: RLPError.nonCanonical) { try RLP.decode([0xB8, 0x05, 1, 2, 3, 4, 5]) }
        #expect(throws: RLPError.truncated) { try RLP.decode([0x83, 0x64]) }
        #expect(throws: RLPError.trailingBytes(1)) { try RLP.decode([0x80, 0x80]) }
    }
}
