import EthABI
import EthCrypto
import Foundation
import LivepeerABI
import Payments
import Testing
import TestSupport

/// Our ABI encoding of Livepeer's calls compared with eth-abi's, and decoding of what eth-abi encodes.
@Suite("ABI cross-checked with eth-abi")
struct ABICrossCheckTests {
    struct TicketCase: Codable {
        var recipient: String, sender: String, faceValue: String, winProb: String, senderNonce: UInt32
        var recipientRandHash: String, auxData: String, sig: String, rand: String
    }
    struct BatchCase: Codable { var tickets: [TicketCase]; var ours: String; var single: String }

    static func randomSigned() throws -> SignedTicket {
        let ticket = Ticket(recipient: try Address(bytes: SecureRandom.bytes(20)), sender: try Address(bytes: SecureRandom.bytes(20)),
                            faceValue: try UInt256(bigEndian: SecureRandom.bytes(Int.random(in: 1...32))),
                            winProb: try UInt256(bigEndian: SecureRandom.bytes(32)), senderNonce: UInt32.random(in: 0...UInt32.max),
                            recipientRandHash: try Hash32(bytes: SecureRandom.bytes(32)),
                            creationRound: Bool.random() ? 0 : Int64.random(in: 1...10_000_000),
                            creationRoundBlockHash: try Hash32(bytes: SecureRandom.bytes(32)))
        return SignedTicket(ticket: ticket, sig: try SecureRandom.bytes(65), recipientRand: try UInt256(bigEndian: SecureRandom.bytes(32)))
    }

    @Test("batchRedeemWinningTickets and redeemWinningTicket call data equal eth-abi's for 60 random batches")
    func redemptionCallData() throws {
        var cases: [BatchCase] = []
        for size in 0..<60 {
            let batch = try (0..<(size % 12)).map { _ in try Self.randomSigned() }
            let single = try Self.randomSigned()
            cases.append(BatchCase(
                tickets: (batch + [single]).map {
                    TicketCase(recipient: $0.ticket.recipient.checksummed, sender: $0.ticket.sender.checksummed,
                               faceValue: $0.ticket.faceValue.description, winProb: $0.ticket.winProb.description,
                               senderNonce: $0.ticket.senderNonce, recipientRandHash: $0.ticket.recipientRandHash.hex,
                               auxData: Hex.encode($0.ticket.auxData), sig: Hex.encode($0.sig), rand: $0.recipientRand!.description)
                },
                ours: Hex.encode(try batch.batchRedeemCallData()), single: Hex.encode(try single.redeemCallData())))
        }
        let script = """
            import sys, json
            from eth_abi import encode
            from eth_utils import keccak
            T = "(address,address,uint256,uint256,uint256,bytes32,bytes)"
            def tup(t): return (t["recipient"], t["sender"], int(t["faceValue"]), int(t["winProb"]), t["senderNonce"],
                                bytes.fromhex(t["recipientRandHash"][2:]), bytes.fromhex(t["auxData"][2:]))
            bad = []
            for i, c in enumerate(json.load(sys.stdin)):
                batch, single = c["tickets"][:-1], c["tickets"][-1]
                sel = keccak(text="batchRedeemWinningTickets(" + T + "[],bytes[],uint256[])")[:4]
                data = sel + encode([T + "[]", "bytes[]", "uint256[]"], [[tup(t) for t in batch],
                    [bytes.fromhex(t["sig"][2:]) for t in batch], [int(t["rand"]) for t in batch]])
                if "0x" + data.hex() != c["ours"]: bad.append("batch %d" % i)
                sel = keccak(text="redeemWinningTicket(" + T + ",bytes,uint256)")[:4]
                data = sel + encode([T, "bytes", "uint256"], [tup(single), bytes.fromhex(single["sig"][2:]), int(single["rand"])])
                if "0x" + data.hex() != c["single"]: bad.append("single %d" % i)
            print(json.dumps(bad))
            """
        let bad = try PythonOracle.json(script: script, input: cases, as: [String].self)
        #expect(bad.isEmpty, "\(bad)")
    }

    @Test("values eth-abi encodes decode to the same values here")
    func decodesEthABI() throws {
        let script = """
            from eth_abi import encode
            print(encode(["(uint256,uint256)", "(uint256,uint256)", "string", "address", "bool", "bytes32", "uint256[]", "bytes"],
                [(7, 2**256 - 1), (0, 12345), "https://o.example:8935/ünï", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                 True, b"\\x01" * 32, [1, 2, 3], b"\\xff" * 33]).hex())
            """
        let hex = String(decoding: try PythonOracle.run(script: script), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let types: [ABIType] = [.tuple([.uint256, .uint256]), .tuple([.uint256, .uint256]), .string, .address, .bool, .bytes32,
                                .array(.uint256), .bytes]
        let values = try ABICodec.decode(types, from: Hex.decode(hex))
        #expect(values[0] == .tuple([.uint(7), .uint(.max)]))
        #expect(values[1] == .tuple([.uint(0), .uint(12345)]))
        #expect(values[2] == .string("https://o.example:8935/ünï"))
        #expect(values[3] == .address(try Address("0x5FbDB2315678afecb367f032d93F642f64180aa3")))
        #expect(values[4] == .bool(true))
        #expect(values[5] == .fixedBytes([UInt8](repeating: 1, count: 32)))
        #expect(values[6] == .array([.uint(1), .uint(2), .uint(3)]))
        #expect(values[7] == .bytes([UInt8](repeating: 0xFF, count: 33)))
        // And back: our encoding of the same values is byte for byte eth-abi's.
        #expect(Hex.encode(try ABICodec.encode(values, as: types)) == "0x" + hex)
    }

    @Test("malformed return data is refused with a typed reason, never trapped on")
    func malformedData() throws {
        #expect(throws: ABIError.self) { try ABICodec.decode([.uint256], from: [1, 2, 3]) }
        #expect(throws: ABIError.self) { try ABICodec.decode([.string], from: UInt256(UInt64(0xFFFF_FFFF)).bigEndianBytes) }
        // An offset inside the data whose length runs past its end.
        #expect(throws: ABIError.self) { try ABICodec.decode([.bytes], from: UInt256(UInt64(32)).bigEndianBytes + UInt256(UInt64(1 << 40)).bigEndianBytes) }
        #expect(throws: ABIError.self) { try ABICodec.decode([.array(.uint256)], from: UInt256(UInt64(32)).bigEndianBytes + UInt256(UInt64(1 << 20)).bigEndianBytes) }
        #expect(throws: ABIError.self) { try ABICodec.decode([.bool], from: UInt256(UInt64(2)).bigEndianBytes) }
        #expect(throws: ABIError.self) { try ABICodec.decode([.address], from: [UInt8](repeating: 0xFF, count: 32)) }
        for _ in 0..<2_000 {
            let garbage = try SecureRandom.bytes(Int.random(in: 0...200))
            _ = try? ABICodec.decode([.string, .array(.bytes), .tuple([.uint256, .bytes])], from: garbage)
        }
    }

    @Test("every Livepeer function's signature is in the vendored contract ABI")
    func signaturesMatchArtifacts() throws {
        let directory = PythonOracle.packageRoot.appendingPathComponent("Tests/Fixtures/livepeer-contracts")
        for (contract, function) in LivepeerFunctions.all {
            let data = try Data(contentsOf: directory.appendingPathComponent("\(contract).json"))
            let artifact = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            let abi = artifact["abi"] as! [[String: Any]]
            let signatures = abi.filter { $0["type"] as? String == "function" }.map(Self.signature)
            #expect(signatures.contains(function.signature), "\(contract) has no \(function.signature)")
        }
        let broker = try Data(contentsOf: directory.appendingPathComponent("TicketBrokerTarget.json"))
        let events = ((try JSONSerialization.jsonObject(with: broker) as! [String: Any])["abi"] as! [[String: Any]])
            .filter { $0["type"] as? String == "event" }
        for event in [LivepeerEvents.winningTicketRedeemed, LivepeerEvents.winningTicketTransfer, LivepeerEvents.reserveClaimed] {
            let declared = events.first { $0["name"] as? String == event.name }
            #expect(declared.map(Self.signature) == event.signature)
            let indexed = (declared?["inputs"] as? [[String: Any]] ?? []).map { $0["indexed"] as? Bool ?? false }
            #expect(indexed == event.arguments.map(\.indexed), "\(event.name)")
        }
    }

    static func signature(_ entry: [String: Any]) -> String {
        func type(_ input: [String: Any]) -> String {
            let name = input["type"] as! String
            guard name.hasPrefix("tuple") else { return name }
            let components = (input["components"] as! [[String: Any]]).map(type).joined(separator: ",")
            return "(" + components + ")" + name.dropFirst(5)
        }
        return (entry["name"] as! String) + "(" + (entry["inputs"] as! [[String: Any]]).map(type).joined(separator: ",") + ")"
    }
}
