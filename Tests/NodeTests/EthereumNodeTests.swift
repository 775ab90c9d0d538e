import EthCrypto
import EthereumRPC
import EthereumSettlement
import EventLog
import EventModel
import Foundation
import JSONCore
import Testing
import TestSupport

/// The orchestrator on a real chain: Livepeer's own contracts on py-evm, the orchestrator registered and the
/// broadcaster funded with `streamflow eth`, a stream through `streamflow orchestrator --eth-rpc`, and its winners
/// redeemed in batches on the real TicketBroker by the node's own redeemer.
@Suite("node on a real chain", .serialized)
struct EthereumNodeTests {
    @Test("a stream through a node on --eth-rpc: every winner paid exactly once on the TicketBroker; pendingFees = the log = the deposit spent")
    func streamSettledOnChain() async throws {
        let chain = try await DevChain()
        defer { chain.stop() }
        let client = JSONRPCClient(url: chain.rpcURL, timeout: .seconds(30))
        let node = EthereumNode(rpc: client)
        let deployment = try await LivepeerDeployment.resolve(node: node, controller: try Address(chain.controller))
        let reader = LivepeerReader(node: node, deployment: deployment)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-eth-node-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let passwordFile = directory + "/password"
        try "dev".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        func keystore(_ index: Int) throws -> String {
            try chain.accounts[index].privateKey.write(toFile: directory + "/key\(index)", atomically: true, encoding: .utf8)
            let outcome = try StreamflowExecutable.run(["keys", "import", "--keystore", directory + "/keys", "--private-key-file",
                                                        directory + "/key\(index)", "--password-file", passwordFile, "--light"])
            return try #require(outcome.stdout.split(separator: "\n").first { $0.hasPrefix("file: ") }).dropFirst(6).description
        }
        let eth = ["--rpc", chain.rpcURL, "--controller", chain.controller]
        let orchestratorKeystore = try keystore(1), broadcasterKeystore = try keystore(2)
        let orchestrator = try Address(chain.accounts[1].address), broadcasterKey = try PrivateKey(hex: chain.accounts[2].privateKey)
        _ = try await client.call("devchain_mintLPT", [.string(orchestrator.checksummed), .string("0x3635c9adc5dea00000")])  // 1000 LPT
        let register = try StreamflowExecutable.run(["eth", "register"] + eth + ["--keystore", orchestratorKeystore, "--password-file", passwordFile,
                                                                                  "--stake", "1000lpt", "--service-uri", "https://127.0.0.1:8935"])
        #expect(register.status == 0, "\(register.stderr)")
        _ = try await client.call("devchain_mineRounds", [1])
        let deposit = UInt256(1_000_000_000_000_000_000)
        let fund = try StreamflowExecutable.run(["eth", "fund"] + eth + ["--keystore", broadcasterKeystore, "--password-file", passwordFile,
                                                                          "--deposit", "1eth", "--reserve", "1eth"])
        #expect(fund.status == 0, "\(fund.stderr)")
        // Gas at a few wei, so a ticket's face value is twice its EV (each wins with probability 1/2), as in the restart tests.
        _ = try await client.call("devchain_setBaseFee", [.string("0x1")])
        _ = try await client.call("devchain_setPriorityFee", [.string("0x1")])

        let ports = try NodeRestartTests.freePorts(2)
        let data = directory + "/node"
        let process = try ChildProcess.streamflow(
            ["orchestrator", "--port", "\(ports[0])", "--http-port", "\(ports[1])", "--no-tls", "--out", directory + "/out", "--data", data,
             "--keystore", orchestratorKeystore, "--password-file", passwordFile, "--eth-rpc", chain.rpcURL, "--eth-controller", chain.controller,
             "--eth-chain-id", "\(chain.chainID)", "--eth-poll-seconds", "0.3", "--eth-max-batch", "5", "--price-per-pixel", "400000",
             "--profiles", "P144p30fps16x9", "--ticket-ev", "2000000000000", "--ticket-multiplier", "2", "--redeem-min-tickets", "3",
             "--capacity", "4"],
            outputPath: directory + "/node.out")
        defer { process.stop(seconds: 0) }
        #expect(await process.waitFor("serving at", seconds: 60), "\(process.output)")
        let body = try NodeRestartTests.clip(directory + "/clip.ts")
        var broadcaster = NodeRestartTests.Broadcaster(key: broadcasterKey, address: "http://127.0.0.1:\(ports[0])", body: body)
        var delivered = 0
        for seq in 0..<24 {
            let reply = try await broadcaster.send(seq: Int64(seq), stream: "eth-stream")
            #expect(reply.status == 200, "segment \(seq): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
            if reply.status == 200 { delivered += 1 }
        }
        // A ticket in its last valid round goes regardless of the minimum: move two rounds on, then wait for the redeemer.
        _ = try await client.call("devchain_mineRounds", [1])
        var redeemed = 0
        for _ in 0..<120 {
            try await Task.sleep(for: .milliseconds(500))
            redeemed = Self.count(process.output, "redemption step")
            if process.output.contains("redemption step"), try await Self.allUsed(data: data, reader: reader) { break }
        }
        #expect(process.stop() == 0)
        #expect(process.output.contains("live state equals the state rebuilt from the log"), "\(process.output.suffix(2_000))")
        #expect(!process.output.contains("level=error"), "\(process.output.suffix(2_000))")

        let records = try NodeRestartTests.records(data)
        var won: Set<String> = [], paid: [String: Int] = [:]
        var confirmed = UInt256.zero, transactions = 0
        for record in records {
            let payload = record.envelope.payload
            switch record.envelope.type {
            case "ticket.won": won.insert(payload["ticketHash"]?.stringValue ?? "")
            case "ticket.redeemed": paid[payload["ticketHash"]?.stringValue ?? "", default: 0] += 1
            case "redemption.confirmed": confirmed = try confirmed + UInt256(decimal: payload["amount"]?.stringValue ?? "0")
            case "eth.transaction":
                transactions += 1
                let signed = try SignedEIP1559Transaction(raw: try Hex.decode(payload["raw"]?.stringValue ?? ""))
                #expect(try signed.sender() == orchestrator)
            default: break
            }
        }
        print("node on a real chain: \(delivered) segments, \(won.count) winners, \(paid.count) redeemed in \(transactions) transactions, "
              + "\(redeemed) steps, \(confirmed) wei")
        #expect(won.count >= 5, "\(won.count) winners")
        #expect(paid.values.allSatisfy { $0 == 1 }, "a ticket recorded redeemed twice")
        #expect(Set(paid.keys) == won, "every winner redeemed: \(won.subtracting(paid.keys).count) left")
        #expect(transactions < won.count, "batched: \(transactions) transactions for \(won.count) winners")
        for hash in won { #expect(try await reader.ticketUsed(try Hash32(hex: hash)), "\(hash) used on chain") }
        let round = try await reader.currentRound()
        let fees = try await reader.pendingFees(orchestrator, round: round)
        let funds = try await reader.senderFunds(broadcasterKey.address)
        #expect(fees == confirmed, "pendingFees \(fees) = the log's confirmed amounts \(confirmed)")
        let spent = try deposit - funds.deposit
        #expect(spent == fees, "the deposit spent \(spent) = pendingFees \(fees)")
    }

    static func count(_ text: String, _ needle: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// Whether every winner in the node's log is used on chain and recorded redeemed.
    static func allUsed(data: String, reader: LivepeerReader) async throws -> Bool {
        let records = try NodeRestartTests.records(data)
        let won = Set(records.filter { $0.envelope.type == "ticket.won" }.compactMap { $0.envelope.payload["ticketHash"]?.stringValue })
        let redeemed = Set(records.filter { $0.envelope.type == "ticket.redeemed" }.compactMap { $0.envelope.payload["ticketHash"]?.stringValue })
        return !won.isEmpty && won == redeemed
    }
}
