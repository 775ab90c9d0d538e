import EthCrypto
import EthereumRPC
import EthereumSettlement
import Foundation
import JSONCore
import Payments
import Testing
import TestSupport

/// `streamflow eth …` (the built command) against Livepeer's real contracts on py-evm.
@Suite("streamflow eth", .serialized)
struct EthCommandTests {
    @Test("register and fund with the commands; our tickets redeemed in batches by `eth redeem`; status, replay and withdraw-fees agree to the wei")
    func operatorFlow() async throws {
        let fixture = try await LivepeerChainFixture()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eth-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("password").path
        try "dev-only\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        func keystore(_ index: Int) async throws -> String {
            let keyFile = directory.appendingPathComponent("key-\(index)").path
            try (fixture.chain.accounts[index].privateKey + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
            let outcome = try await StreamflowExecutable.runOffPool(["keys", "import", "--keystore", directory.appendingPathComponent("keys").path,
                                                        "--private-key-file", keyFile, "--password-file", passwordFile, "--light"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout.contains(try Address(fixture.chain.accounts[index].address).checksummed))
            return try #require(outcome.stdout.split(separator: "\n").first { $0.hasPrefix("file: ") }).dropFirst(6).description
        }
        let chainArgs = ["--rpc", fixture.chain.rpcURL, "--controller", fixture.chain.controller, "--chain-id", "\(fixture.chain.chainID)"]
        let journal = directory.appendingPathComponent("journal.jsonl").path
        func eth(_ command: String, _ index: Int?, _ extra: [String]) async throws -> StreamflowExecutable.Outcome {
            var arguments = ["eth", command] + chainArgs + extra
            if let index { arguments += ["--keystore", try await keystore(index), "--password-file", passwordFile, "--journal", journal] }
            return try await StreamflowExecutable.runOffPool(arguments)
        }
        let orchestrator = try Address(fixture.chain.accounts[1].address), broadcaster = try Address(fixture.chain.accounts[2].address)
        try await fixture.hook("devchain_mintLPT", [.string(orchestrator.checksummed), .string(HexQuantity.encode(try UInt256(decimal: "1000000000000000000000")))])

        let register = try await eth("register", 1, ["--stake", "1000lpt", "--reward-cut", "10", "--fee-share", "25", "--service-uri", "https://orch.example:8935"])
        #expect(register.status == 0, "\(register.stdout)\n\(register.stderr)")
        #expect(["approve:", "bond:", "transcoder:", "setServiceURI:"].allSatisfy { register.stdout.contains($0) }, "\(register.stdout)")
        try await fixture.hook("devchain_mineRounds", [1])
        let fund = try await eth("fund", 2, ["--deposit", "1eth", "--reserve", "0.5eth"])
        #expect(fund.status == 0, "\(fund.stderr)")
        #expect(fund.stdout.contains("deposit 1000000000000000000 wei (1 ETH), reserve 500000000000000000 wei (0.5 ETH)"), "\(fund.stdout)")

        let status = try await eth("status", nil, ["--sender", broadcaster.checksummed, "--orchestrator", orchestrator.checksummed, "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        let object = try JSONParser.parse(Array(status.stdout.utf8))
        let pool = try #require(object["pool"]?.arrayValue)
        #expect(pool.count == 1)
        #expect(pool.first?["address"]?.stringValue == orchestrator.checksummed)
        #expect(pool.first?["serviceURI"]?.stringValue == "https://orch.example:8935")
        #expect(pool.first?["active"]?.boolValue == true)
        #expect(pool.first?["feeSharePPM"]?.stringValue == "250000")
        #expect(object["sender"]?["deposit"]?.stringValue == "1000000000000000000")

        // 12 winners signed by our own code, in a file, redeemed 5 a transaction.
        let face = UInt256(20_000_000_000_000_000)
        let tickets = try await fixture.tickets(from: 2, to: orchestrator, count: 12, faceValue: face)
        let ticketFile = directory.appendingPathComponent("tickets.jsonl").path
        try tickets.map { String(decoding: try CanonicalJSON.encode($0.json), as: UTF8.self) }.joined(separator: "\n")
            .write(toFile: ticketFile, atomically: true, encoding: .utf8)
        let redeem = try await eth("redeem", 1, ["--tickets", ticketFile, "--max-batch", "5"])
        #expect(redeem.status == 0, "\(redeem.stderr)")
        #expect(redeem.stdout.contains("paid 12 of 12 tickets: 240000000000000000 wei (0.24 ETH) in 3 transactions"), "\(redeem.stdout)")
        let journaled = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(journaled.count == 4 + 1 + 3, "register 4, fund 1, redeem 3 signed transactions journaled: \(journaled.count)")
        // Each journaled transaction decodes (our raw bytes) and was mined.
        for line in journaled {
            let entry = try JSONParser.parse(Array(line.utf8))
            let signed = try SignedEIP1559Transaction(raw: try Hex.decode(try #require(entry["raw"]?.stringValue)))
            #expect(signed.hash.hex == entry["hash"]?.stringValue)
            #expect(try await fixture.node.receipt(signed.hash)?.succeeded == true)
        }

        let after = try JSONParser.parse(Array(try await eth("status", nil, ["--sender", broadcaster.checksummed, "--orchestrator",
                                                                      orchestrator.checksummed, "--json"]).stdout.utf8))
        #expect(after["pendingFees"]?["wei"]?.stringValue == "240000000000000000", "pendingFees equal what the redeemer paid")
        #expect(after["sender"]?["deposit"]?.stringValue == "760000000000000000", "the deposit is down by the same")

        let replay = try await eth("redeem", 1, ["--tickets", ticketFile])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("paid 0 of 12 tickets"), "\(replay.stdout)")
        #expect(replay.stdout.components(separatedBy: "refused ").count - 1 == 12 && replay.stdout.contains(": already-used"))

        let before = try await fixture.node.balance(of: orchestrator)
        let withdraw = try await eth("withdraw-fees", 1, [])
        #expect(withdraw.status == 0, "\(withdraw.stderr)")
        #expect(withdraw.stdout.contains("withdrew 240000000000000000 wei"), "\(withdraw.stdout)")
        let gained = try await fixture.node.balance(of: orchestrator)
        #expect(gained > before, "the fees reached the orchestrator's account")
        let round = try await fixture.reader.currentRound()
        #expect(try await fixture.reader.pendingFees(orchestrator, round: round) == .zero)
    }

    @Test("bad input and refusals exit with a reason: wrong chain, bad controller, gas above the cap, no LPT, no fees")
    func refusals() async throws {
        let fixture = try await LivepeerChainFixture()
        let base = ["--rpc", fixture.chain.rpcURL, "--controller", fixture.chain.controller]
        let wrongChain = try await StreamflowExecutable.runOffPool(["eth", "status"] + base + ["--chain-id", "42161"])
        #expect(wrongChain.status == 1 && wrongChain.stderr.contains("the node is on chain \(fixture.chain.chainID), not 42161"), "\(wrongChain.stderr)")
        let badController = try await StreamflowExecutable.runOffPool(["eth", "status", "--rpc", fixture.chain.rpcURL, "--controller", "0x1234"])
        #expect(badController.status == 64 && badController.stderr.contains("--controller is not an address"), "\(badController.stderr)")
        let noRPC = try await StreamflowExecutable.runOffPool(["eth", "status", "--rpc", "http://127.0.0.1:1", "--controller", fixture.chain.controller,
                                                  "--rpc-timeout", "2"])
        #expect(noRPC.status == 1 && noRPC.stderr.contains("eth_chainId"), "\(noRPC.stderr)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eth-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key").path, passwordFile = directory.appendingPathComponent("password").path
        try fixture.chain.accounts[3].privateKey.write(toFile: keyFile, atomically: true, encoding: .utf8)
        try "pw".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let imported = try await StreamflowExecutable.runOffPool(["keys", "import", "--keystore", directory.path, "--private-key-file", keyFile,
                                                     "--password-file", passwordFile, "--light"])
        let keystore = try #require(imported.stdout.split(separator: "\n").first { $0.hasPrefix("file: ") }).dropFirst(6).description
        let account = ["--keystore", keystore, "--password-file", passwordFile]

        try await fixture.hook("devchain_setBaseFee", [.string(HexQuantity.encode(UInt256(100_000_000_000)))])
        let spike = try await StreamflowExecutable.runOffPool(["eth", "fund"] + base + account + ["--deposit", "1eth", "--max-fee-per-gas", "20gwei", "--max-wait", "1"])
        #expect(spike.status == 3 && spike.stderr.contains("above the cap"), "\(spike.stderr)")
        #expect(try await fixture.node.transactionCount(of: try Address(fixture.chain.accounts[3].address), pending: true) == 0)
        try await fixture.hook("devchain_setBaseFee", [nil])

        let noLPT = try await StreamflowExecutable.runOffPool(["eth", "register"] + base + account + ["--stake", "10lpt", "--service-uri", "https://x:1"])
        #expect(noLPT.status == 1 && noLPT.stderr.contains("less than --stake"), "\(noLPT.stderr)")
        let noFees = try await StreamflowExecutable.runOffPool(["eth", "withdraw-fees"] + base + account)
        #expect(noFees.status == 1 && noFees.stderr.contains("no pending fees"), "\(noFees.stderr)")
        let badAmount = try await StreamflowExecutable.runOffPool(["eth", "fund"] + base + account + ["--deposit", "1.5wei"])
        #expect(badAmount.status != 0 && badAmount.stderr.contains("not an amount"), "\(badAmount.stderr)")
        // More tickets than --max-tickets: refused before anything is checked or sent.
        let many = try await fixture.tickets(from: 2, to: try Address(fixture.chain.accounts[3].address), count: 3,
                                             faceValue: UInt256(1_000_000))
        let manyFile = directory.appendingPathComponent("many.jsonl").path
        try many.map { String(decoding: try CanonicalJSON.encode($0.json), as: UTF8.self) }.joined(separator: "\n")
            .write(toFile: manyFile, atomically: true, encoding: .utf8)
        let tooMany = try await StreamflowExecutable.runOffPool(["eth", "redeem"] + base + account + ["--tickets", manyFile, "--max-tickets", "2"])
        #expect(tooMany.status == 1 && tooMany.stderr.contains("more than --max-tickets 2 tickets"), "\(tooMany.stderr)")
        let garbageTickets = directory.appendingPathComponent("t.jsonl").path
        try "{\"not\": \"a ticket\"}\n".write(toFile: garbageTickets, atomically: true, encoding: .utf8)
        let badTickets = try await StreamflowExecutable.runOffPool(["eth", "redeem"] + base + account + ["--tickets", garbageTickets])
        #expect(badTickets.status == 1 && badTickets.stderr.contains("t.jsonl:1: not a signed ticket"), "\(badTickets.stderr)")
    }
}
