import Foundation
import Testing
import TestSupport

/// `streamflow tickets hash|sign|verify`, run as an operator runs them, checked with eth-account.
@Suite("streamflow tickets")
struct TicketsCLITests {
    static func ticketJSON(sender: String, winProb: String = "57896044618658097711785492504343953926634992332820282019728792003956564819967",
                           extra: String = "") -> String {
        """
        {"recipient":"0x73AEd7b5dEb30222fa896f399d46cC99c7BEe57F","sender":"\(sender)","faceValue":"1000000000000",
         "winProb":"\(winProb)","senderNonce":"42",
         "recipientRandHash":"0x290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563","creationRound":"10",
         "creationRoundBlockHash":"0x41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d"\(extra)}
        """
    }

    @Test("sign then verify: eth-account recovers the same signer from the printed hash and sig")
    func signAndVerify() throws {
        let (directory, passwordFile) = try CryptoCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (address, keystore) = try CryptoCLITests.newKey(in: directory, passwordFile: passwordFile)
        let unsigned = Self.ticketJSON(sender: address)
        let hashed = try StreamflowExecutable.run(["tickets", "hash"], stdin: unsigned)
        #expect(hashed.status == 0, "\(hashed.stderr)")
        let hash = hashed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let signed = try StreamflowExecutable.run(
            ["tickets", "sign", "--keystore", keystore, "--password-file", passwordFile, "-"], stdin: unsigned)
        #expect(signed.status == 0, "\(signed.stderr)")
        let ticket = try #require(try JSONSerialization.jsonObject(with: Data(signed.stdout.utf8)) as? [String: Any])
        let sig = try #require(ticket["sig"] as? String)

        let script = """
            import sys, json
            from eth_hash.auto import keccak
            from eth_account import Account
            from eth_account.messages import encode_defunct
            t = json.load(sys.stdin)
            u = lambda n: int(n).to_bytes(32, "big")
            h = lambda x: bytes.fromhex(x[2:])
            m = h(t["recipient"]) + h(t["sender"]) + u(t["faceValue"]) + u(t["winProb"]) + u(t["senderNonce"]) + h(t["recipientRandHash"]) + u(t["creationRound"]) + h(t["creationRoundBlockHash"])
            th = keccak(m)
            print(json.dumps(["0x" + th.hex(), Account.recover_message(encode_defunct(primitive=th), signature=h(t["sig"]))]))
            """
        let answer = try PythonOracle.json(script: script, input: ticket.mapValues { "\($0)" }, as: [String].self)
        #expect(answer == [hash, address])

        // Verify without a rand: valid, winning null. With rand 0 (whose hash is the ticket's): winning decided.
        let verified = try StreamflowExecutable.run(["tickets", "verify"], stdin: signed.stdout)
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any])
        #expect(report["hash"] as? String == hash)
        #expect(report["signer"] as? String == address)
        #expect(report["valid"] as? Bool == true)
        #expect(report["winning"] is NSNull)
        #expect((report["reasons"] as? [Any])?.isEmpty == true)
        let withRand = signed.stdout.replacingOccurrences(of: "\"sig\"", with: "\"recipientRand\": \"0\", \"sig\"")
        let decided = try StreamflowExecutable.run(["tickets", "verify"], stdin: withRand)
        let decidedReport = try #require(try JSONSerialization.jsonObject(with: Data(decided.stdout.utf8)) as? [String: Any])
        let pythonWin = try PythonOracle.run(script: """
            import sys
            from eth_hash.auto import keccak
            sig = bytes.fromhex(sys.stdin.read().strip()[2:])
            print("true" if int.from_bytes(keccak(sig + bytes(32)), "big") < 2**255 - 1 else "false")
            """, input: Data(sig.utf8))
        #expect("\(decidedReport["winning"] as? Bool ?? false)" == String(decoding: pythonWin, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("verify refuses with typed reasons and exit 1: tampered field, high S, wrong V, bad rand, malformed JSON")
    func verifyRefusals() throws {
        let (directory, passwordFile) = try CryptoCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (address, keystore) = try CryptoCLITests.newKey(in: directory, passwordFile: passwordFile)
        let signed = try StreamflowExecutable.run(
            ["tickets", "sign", "--keystore", keystore, "--password-file", passwordFile], stdin: Self.ticketJSON(sender: address))
        let ticket = try #require(try JSONSerialization.jsonObject(with: Data(signed.stdout.utf8)) as? [String: String])
        func reasons(_ text: String) throws -> (Int32, [String]) {
            let outcome = try StreamflowExecutable.run(["tickets", "verify"], stdin: text)
            let report = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
            return (outcome.status, report?["reasons"] as? [String] ?? ["(no report) \(outcome.stderr)"])
        }
        func encode(_ fields: [String: String]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        }
        var tampered = ticket
        tampered["faceValue"] = "1000000000001"
        #expect(try reasons(encode(tampered)) == (1, ["bad-signature"]))
        var badV = ticket
        badV["sig"] = String(ticket["sig"]!.dropLast(2)) + "1d"
        #expect(try reasons(encode(badV)) == (1, ["signature-bad-v"]))
        var highS = ticket
        highS["sig"] = String(ticket["sig"]!.prefix(66)) + "ff" + String(ticket["sig"]!.dropFirst(68))
        #expect(try reasons(encode(highS)) == (1, ["signature-high-s"]))
        var badRand = ticket
        badRand["recipientRand"] = "1"
        #expect(try reasons(encode(badRand)) == (1, ["recipient-rand-mismatch"]))
        #expect(try reasons("{\"recipient\": ") == (1, ["malformed"]))
        #expect(try reasons(Self.ticketJSON(sender: address, extra: ",\"bogus\":1,\"sig\":\"0x00\"")) == (1, ["malformed"]))
        // Signing a ticket whose sender is someone else is refused.
        let other = try StreamflowExecutable.run(
            ["tickets", "sign", "--keystore", keystore, "--password-file", passwordFile],
            stdin: Self.ticketJSON(sender: "0x73AEd7b5dEb30222fa896f399d46cC99c7BEe57F"))
        #expect(other.status != 0 && other.stderr.contains("is not the keystore's address"))
    }
}
