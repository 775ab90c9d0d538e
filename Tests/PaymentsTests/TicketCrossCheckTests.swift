import EthCrypto
import Foundation
import Testing
import TestSupport
@testable import Payments

/// 1,000 random tickets checked against eth-hash and eth-account in the project virtualenv.
@Suite("tickets cross-checked with eth-account")
struct TicketCrossCheckTests {
    struct Case: Codable {
        var key: String
        var recipient: String, sender: String, faceValue: String, winProb: String, senderNonce: UInt32
        var recipientRandHash: String, creationRound: Int64, creationRoundBlockHash: String
        var recipientRand: String
        // What Swift computed.
        var hash: String, sig: String, winning: Bool, randHash: String
        var ev: String, lotteryEV: String, lotteryFaceValue: String, lotteryWinProb: String, lotteryEVBack: String
    }

    static func random256(bits: Int) throws -> UInt256 {
        try UInt256(bigEndian: SecureRandom.bytes(32)) >> (256 - bits)
    }

    @Test("hash, signature, signer, win decision, EV and winProb agree on 1,000 random tickets")
    func thousandTickets() throws {
        var cases: [Case] = []
        for index in 0..<1_000 {
            let key = try PrivateKey.generate()
            let round: Int64 = index % 10 == 0 ? 0 : Int64.random(in: 1...5_000_000)
            let ticket = Ticket(
                recipient: try Address(bytes: SecureRandom.bytes(20)), sender: key.address,
                faceValue: try Self.random256(bits: 1 + index % 200), winProb: try Self.random256(bits: 256 - index % 8),
                senderNonce: UInt32.random(in: 0...UInt32.max), recipientRandHash: try Hash32(bytes: SecureRandom.bytes(32)),
                creationRound: round, creationRoundBlockHash: round == 0 ? .zero : try Hash32(bytes: SecureRandom.bytes(32)))
            let rand = try Self.random256(bits: 256)
            let sig = try key.signMessage(ticket.hash.bytes).bytes
            let lotteryFaceValue = try Self.random256(bits: 2 + index % 180) + UInt256(2)
            let lotteryEV = try UInt256.mulDiv(lotteryFaceValue, Self.random256(bits: 64), .max)
            let lotteryWinProb = try TicketLottery.winProb(expectedValue: lotteryEV, faceValue: lotteryFaceValue)
            cases.append(Case(
                key: Hex.encode(key.exportSecret()), recipient: ticket.recipient.checksummed, sender: ticket.sender.checksummed,
                faceValue: ticket.faceValue.description, winProb: ticket.winProb.description, senderNonce: ticket.senderNonce,
                recipientRandHash: ticket.recipientRandHash.hex, creationRound: round,
                creationRoundBlockHash: ticket.creationRoundBlockHash.hex, recipientRand: rand.description,
                hash: ticket.hash.hex, sig: Hex.encode(sig),
                winning: TicketLottery.isWinning(sig: sig, recipientRand: rand, winProb: ticket.winProb),
                randHash: TicketLottery.recipientRandHash(rand).hex,
                ev: TicketLottery.expectedValue(faceValue: ticket.faceValue, winProb: ticket.winProb).description,
                lotteryEV: lotteryEV.description, lotteryFaceValue: lotteryFaceValue.description,
                lotteryWinProb: lotteryWinProb.description,
                lotteryEVBack: TicketLottery.expectedValue(faceValue: lotteryFaceValue, winProb: lotteryWinProb).description))
        }
        let script = """
            import sys, json
            from eth_hash.auto import keccak
            from eth_account import Account
            from eth_account.messages import encode_defunct
            MAX = 2**256 - 1
            def u(n): return int(n).to_bytes(32, "big")
            def h(x): return bytes.fromhex(x[2:])
            out = []
            for c in json.load(sys.stdin):
                aux = b"" if c["creationRound"] == 0 and int(c["creationRoundBlockHash"], 16) == 0 else u(c["creationRound"]) + h(c["creationRoundBlockHash"])
                msg = h(c["recipient"]) + h(c["sender"]) + u(c["faceValue"]) + u(c["winProb"]) + u(c["senderNonce"]) + h(c["recipientRandHash"]) + aux
                th = keccak(msg)
                signed = Account.sign_message(encode_defunct(primitive=th), private_key=h(c["key"]))
                sig = signed.signature
                signer = Account.recover_message(encode_defunct(primitive=th), signature=h(c["sig"]))
                win = int.from_bytes(keccak(sig + u(c["recipientRand"])), "big") < int(c["winProb"])
                fv, ev = int(c["lotteryFaceValue"]), int(c["lotteryEV"])
                per = MAX // fv if MAX % fv == 0 else MAX // fv + 1
                wp = ev * per
                out.append({"hash": "0x" + th.hex(), "sig": "0x" + sig.hex(), "signer": signer, "winning": win,
                            "randHash": "0x" + keccak(u(c["recipientRand"])).hex(),
                            "ev": str(int(c["faceValue"]) * int(c["winProb"]) // MAX),
                            "lotteryWinProb": str(wp), "lotteryEVBack": str(fv * wp // MAX)})
            json.dump(out, sys.stdout)
            """
        struct Answer: Codable {
            var hash: String, sig: String, signer: String, winning: Bool, randHash: String, ev: String
            var lotteryWinProb: String, lotteryEVBack: String
        }
        let answers = try PythonOracle.json(script: script, input: cases, as: [Answer].self)
        #expect(answers.count == cases.count)
        var wins = 0
        for (mine, theirs) in zip(cases, answers) {
            #expect(mine.hash == theirs.hash, "ticket hash")
            #expect(mine.sig == theirs.sig, "RFC 6979 signature")
            #expect(mine.sender == theirs.signer, "recovered signer")
            #expect(mine.winning == theirs.winning, "win decision")
            #expect(mine.randHash == theirs.randHash, "recipientRandHash")
            #expect(mine.ev == theirs.ev, "EV")
            #expect(mine.lotteryWinProb == theirs.lotteryWinProb, "winProb from EV")
            #expect(mine.lotteryEVBack == theirs.lotteryEVBack, "EV back from winProb")
            if theirs.winning { wins += 1 }
        }
        // The winProbs span the whole range, so both outcomes must have been exercised.
        #expect(wins > 100 && wins < 900)
    }

    @Test("signer recovery here agrees with the signed ticket: recovering a changed ticket gives another address")
    func tamperChangesSigner() throws {
        let key = try PrivateKey.generate()
        var ticket = TicketVectorTests.ticket(faceValue: 10, winProb: 5)
        ticket.sender = key.address
        let sig = try key.signMessage(ticket.hash.bytes)
        #expect(try ticket.signer(of: sig) == key.address)
        ticket.faceValue = UInt256(11)
        #expect(try ticket.signer(of: sig) != key.address)
    }
}
