import EthCrypto
import EthereumRPC
import EthereumSettlement
import EventLog
import EventModel
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSONCore
import Testing
import TestSupport

/// The orchestrator on a real chain: Livepeer's own contracts on py-evm, the orchestrator registered and the
/// broadcaster funded with `streamflow eth`, a stream through `streamflow orchestrator --eth-rpc`, and its winners
/// redeemed in batches on the real TicketBroker by the node's own redeemer.
@Suite("node on a real chain", .serialized)
struct EthereumNodeTests {
    /// A dev chain with Livepeer's contracts, the orchestrator registered and the broadcaster funded with the commands,
    /// gas at a few wei (a ticket's face value is twice its EV: each wins with probability 1/2, as in the restart tests).
    struct Harness {
        let chain: DevChain
        let client: JSONRPCClient
        let reader: LivepeerReader
        let directory: String
        let passwordFile: String
        let orchestratorKeystore: String
        let broadcasterKeystore: String
        let unfundedKeystore: String
        let orchestrator: Address
        let broadcasterKey: PrivateKey
        let deposit = UInt256(1_000_000_000_000_000_000)
        var data: String { directory + "/node" }

        init(serviceURI: String = "https://127.0.0.1:8935") async throws {
            chain = try await DevChain()
            client = JSONRPCClient(url: chain.rpcURL, timeout: .seconds(30))
            let node = EthereumNode(rpc: client)
            reader = LivepeerReader(node: node, deployment: try await LivepeerDeployment.resolve(node: node, controller: try Address(chain.controller)))
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-eth-node-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            passwordFile = directory + "/password"
            try "dev".write(toFile: passwordFile, atomically: true, encoding: .utf8)
            let (chain, directory, passwordFile) = (chain, directory, passwordFile)
            func keystore(_ index: Int) async throws -> String {
                try chain.accounts[index].privateKey.write(toFile: directory + "/key\(index)", atomically: true, encoding: .utf8)
                let outcome = try await StreamflowExecutable.runOffPool(["keys", "import", "--keystore", directory + "/keys", "--private-key-file",
                                                            directory + "/key\(index)", "--password-file", passwordFile, "--light"])
                return try #require(outcome.stdout.split(separator: "\n").first { $0.hasPrefix("file: ") }).dropFirst(6).description
            }
            let eth = ["--rpc", chain.rpcURL, "--controller", chain.controller]
            orchestratorKeystore = try await keystore(1)
            broadcasterKeystore = try await keystore(2)
            unfundedKeystore = try await keystore(4)
            orchestrator = try Address(chain.accounts[1].address)
            broadcasterKey = try PrivateKey(hex: chain.accounts[2].privateKey)
            _ = try await client.call("devchain_mintLPT", [.string(orchestrator.checksummed), .string("0x3635c9adc5dea00000")])  // 1000 LPT
            let register = try await StreamflowExecutable.runOffPool(["eth", "register"] + eth + ["--keystore", orchestratorKeystore, "--password-file",
                                                                                      passwordFile, "--stake", "1000lpt", "--service-uri",
                                                                                      serviceURI])
            #expect(register.status == 0, "\(register.stderr)")
            _ = try await client.call("devchain_mineRounds", [1])
            let fund = try await StreamflowExecutable.runOffPool(["eth", "fund"] + eth + ["--keystore", broadcasterKeystore, "--password-file", passwordFile,
                                                                              "--deposit", "1eth", "--reserve", "1eth"])
            #expect(fund.status == 0, "\(fund.stderr)")
            _ = try await client.call("devchain_setBaseFee", [.string("0x1")])
            _ = try await client.call("devchain_setPriorityFee", [.string("0x1")])
        }

        /// `streamflow orchestrator --eth-rpc …` on the harness's data directory, serving once it prints so.
        func startNode(ports: [Int], name: String, minTickets: Int) async throws -> ChildProcess {
            let process = try ChildProcess.streamflow(
                ["orchestrator", "--port", "\(ports[0])", "--http-port", "\(ports[1])", "--no-tls", "--out", directory + "/out", "--data", data,
                 "--keystore", orchestratorKeystore, "--password-file", passwordFile, "--eth-rpc", chain.rpcURL, "--eth-controller",
                 chain.controller, "--eth-chain-id", "\(chain.chainID)", "--eth-poll-seconds", "0.2", "--eth-max-batch", "5",
                 "--price-per-pixel", "400000", "--profiles", "P144p30fps16x9", "--ticket-ev", "2000000000000", "--ticket-multiplier", "2",
                 "--redeem-min-tickets", "\(minTickets)", "--capacity", "4"],
                outputPath: directory + "/\(name).out")
            #expect(await process.waitFor("serving at", seconds: 60), "\(process.output)")
            return process
        }

        /// The log against the chain once the node has stopped: every winner redeemed once and used on chain,
        /// pendingFees = the log's confirmed amounts = the deposit spent. Returns (winners, transactions).
        func expectSettled() async throws -> (winners: Int, transactions: Int) {
            let records = try NodeRestartTests.records(data)
            var won: Set<String> = [], paid: [String: Int] = [:]
            var confirmed = UInt256.zero, transactions = 0, reverted = 0
            for record in records {
                let payload = record.envelope.payload
                switch record.envelope.type {
                case "ticket.won": won.insert(payload["ticketHash"]?.stringValue ?? "")
                case "ticket.redeemed": paid[payload["ticketHash"]?.stringValue ?? "", default: 0] += 1
                case "redemption.confirmed":
                    confirmed = try confirmed + UInt256(decimal: payload["amount"]?.stringValue ?? "0")
                    transactions += 1
                case "redemption.reverted": reverted += 1  // mined in a round nobody had initialised yet: a nonce, no tickets
                case "eth.transaction":
                    let signed = try SignedEIP1559Transaction(raw: try Hex.decode(payload["raw"]?.stringValue ?? ""))
                    #expect(try signed.sender() == orchestrator)
                default: break
                }
            }
            // Tickets win with probability ½ (multiplier 2): ~7 winners expected in 40 segments, 2 at least all but surely.
            #expect(won.count >= 2, "\(won.count) winners")
            #expect(paid.values.allSatisfy { $0 == 1 }, "a ticket recorded redeemed twice")
            let expired = records.filter { $0.envelope.type == "ticket.expired" }.map { "\($0.envelope.payload)" }
            #expect(Set(paid.keys) == won, "every winner redeemed: \(won.subtracting(paid.keys).count) left; expired: \(expired)")
            for hash in won { #expect(try await reader.ticketUsed(try Hash32(hex: hash)), "\(hash) used on chain") }
            let round = try await reader.currentRound()
            let fees = try await reader.pendingFees(orchestrator, round: round)
            let funds = try await reader.senderFunds(broadcasterKey.address)
            #expect(fees == confirmed, "pendingFees \(fees) = the log's confirmed amounts \(confirmed)")
            let spent = try deposit - funds.deposit
            #expect(spent == fees, "the deposit spent \(spent) = pendingFees \(fees)")
            // Nonces: the four registration transactions, then one mined transaction per confirmed or reverted redemption,
            // none pending.
            let mined = try await reader.node.transactionCount(of: orchestrator, pending: false)
            #expect(mined == UInt64(4 + transactions + reverted),
                    "orchestrator nonce \(mined) = 4 + \(transactions) confirmed + \(reverted) reverted redemptions")
            #expect(try await reader.node.transactionCount(of: orchestrator, pending: true) == mined, "nothing left in the pool")
            return (won.count, transactions)
        }

        func remove() {
            chain.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("a stream through a node on --eth-rpc: every winner paid exactly once on the TicketBroker; pendingFees = the log = the deposit spent")
    func streamSettledOnChain() async throws {
        let harness = try await Harness()
        defer { harness.remove() }
        let ports = try NodeRestartTests.freePorts(2)
        let process = try await harness.startNode(ports: ports, name: "node", minTickets: 3)
        defer { process.stop(seconds: 0) }
        let body = try NodeRestartTests.clip(harness.directory + "/clip.ts")
        var broadcaster = NodeRestartTests.Broadcaster(key: harness.broadcasterKey, address: "http://127.0.0.1:\(ports[0])", body: body)
        for seq in 0..<40 {
            let reply = try await broadcaster.send(seq: Int64(seq), stream: "eth-stream")
            #expect(reply.status == 200, "segment \(seq): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
        }
        // A ticket in its last valid round goes regardless of the minimum: move a round on, then wait for the redeemer.
        _ = try await harness.client.call("devchain_mineRounds", [1])
        for _ in 0..<120 where !(try Self.allRedeemed(data: harness.data)) { try await Task.sleep(for: .milliseconds(500)) }
        #expect(process.stop() == 0)
        #expect(process.output.contains("live state equals the state rebuilt from the log"), "\(process.output.suffix(2_000))")
        #expect(!process.output.contains("level=error"), "\(process.output.suffix(2_000))")
        let (winners, transactions) = try await harness.expectSettled()
        #expect(transactions < winners, "batched: \(transactions) transactions for \(winners) winners")
        // Finance's report from the log, reconciled with the TicketBroker's own event logs to the wei; from a block after
        // the redemptions the chain shows none, and the report says so and exits 2.
        let eth = ["--eth-rpc", harness.chain.rpcURL, "--eth-controller", harness.chain.controller]
        let report = try await StreamflowExecutable.runOffPool(["report", "fees", "--data", harness.data] + eth)
        #expect(report.status == 0 && report.stderr.contains("equal to the wei"), "\(report.stdout)\n\(report.stderr)")
        #expect(report.stderr.contains("for \(winners) tickets in \(transactions) transactions"), "\(report.stderr)")
        let late = try await harness.reader.node.blockNumber() + 1
        let differs = try await StreamflowExecutable.runOffPool(["report", "fees", "--data", harness.data, "--eth-from-block", "\(late)"] + eth)
        #expect(differs.status == 2 && differs.stderr.contains("DIFFER"), "\(differs.stderr)")
        print("node on a real chain: 40 segments, \(winners) winners redeemed in \(transactions) transactions")
    }

    @Test("`broadcast` and `broadcaster` with --eth-rpc find the orchestrator on the active set and read their deposit; an unfunded one is refused")
    func broadcasterOnChain() async throws {
        let ports = try NodeRestartTests.freePorts(2)
        let harness = try await Harness(serviceURI: "http://127.0.0.1:\(ports[0])")
        defer { harness.remove() }
        let process = try await harness.startNode(ports: ports, name: "node", minTickets: 1)
        defer { process.stop(seconds: 0) }
        let clip = harness.directory + "/clip.ts"
        _ = try NodeRestartTests.clip(clip)
        let eth = ["--eth-rpc", harness.chain.rpcURL, "--eth-controller", harness.chain.controller]
        let run = try await StreamflowExecutable.runOffPool(["broadcast", clip, "--out", harness.directory + "/live", "--keystore",
                                                             harness.broadcasterKeystore, "--password-file", harness.passwordFile,
                                                             "--max-price-per-pixel", "1000000"] + eth)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stderr.contains("deposit 1000000000000000000 wei, reserve 1000000000000000000 wei; 1 active orchestrators"), "\(run.stderr)")
        #expect(run.stdout.contains("delivered, 0 lost"), "\(run.stdout)")
        let unfunded = try await StreamflowExecutable.runOffPool(["broadcast", clip, "--out", harness.directory + "/live2", "--keystore",
                                                     harness.unfundedKeystore, "--password-file", harness.passwordFile] + eth)
        #expect(unfunded.status == 1 && unfunded.stderr.contains("has no deposit on the TicketBroker"), "\(unfunded.stderr)")

        // The long-running ingest broadcaster does the same: its deposit read, the orchestrator found on the active set.
        let ingest = try ChildProcess.streamflow(
            ["broadcaster", "--out", harness.directory + "/ingest", "--port", "0", "--keystore", harness.broadcasterKeystore,
             "--password-file", harness.passwordFile, "--max-price-per-pixel", "1000000", "--profiles", "P144p30fps16x9"] + eth,
            outputPath: harness.directory + "/broadcaster.out")
        defer { ingest.stop(seconds: 0) }
        #expect(await ingest.waitFor("ingest at", seconds: 60), "\(ingest.output)")
        #expect(ingest.output.contains("1 active orchestrators on the chain"), "\(ingest.output)")
        #expect(ingest.output.contains("broadcaster \(harness.broadcasterKey.address.checksummed): 1 orchestrators answered"), "\(ingest.output)")
        let line = try #require(ingest.output.split(separator: "\n").first { $0.hasPrefix("ingest at ") })
        let announced = String(line.dropFirst("ingest at ".count))
        let base = String(announced[..<(try #require(announced.range(of: "/live/"))).lowerBound])
        var request = URLRequest(url: try #require(URL(string: "\(base)/live/chain-show/0.ts")))
        request.httpMethod = "PUT"
        request.setValue("2000", forHTTPHeaderField: "Content-Duration")
        let (data, response) = try await URLSession.shared.upload(for: request, from: try Data(contentsOf: URL(fileURLWithPath: clip)))
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: data, as: UTF8.self))")
        #expect(ingest.stop() == 0, "\(ingest.output)")
        let refused = try await StreamflowExecutable.runOffPool(["broadcaster", "--out", harness.directory + "/ingest2", "--port", "0", "--keystore",
                                                    harness.unfundedKeystore, "--password-file", harness.passwordFile] + eth)
        #expect(refused.status == 1 && refused.stderr.contains("has no deposit on the TicketBroker"), "\(refused.stderr)")
        #expect(process.stop() == 0)
    }

    @Test("`demo --eth-rpc` runs the market on Livepeer's contracts: every segment delivered, the deposit down by what the log says was redeemed")
    func demoOnChain() async throws {
        // A chain that moves on its own (rounds start without the test), Arbitrum-like gas, LPT in every account.
        let chain = try await DevChain(roundLength: 20, accounts: 6, arguments: ["--block-time", "0.5", "--lpt", "10000",
                                                                                "--priority-fee", "10000000"])
        defer { chain.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-eth-demo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = directory + "/keys.json"
        let list = chain.accounts[1...5].map { "\"\($0.privateKey)\"" }.joined(separator: ",")
        try "[\(list)]".write(toFile: keys, atomically: true, encoding: .utf8)
        let eth = ["--eth-rpc", chain.rpcURL, "--eth-controller", chain.controller]
        // Off the cooperative pool: the demo runs ~30 s, and blocking one of this machine's two pool threads that long
        // starves every other suite running beside it.
        let run = try await StreamflowExecutable.runOffPool(["demo", "--out", directory + "/demo", "--seconds", "12", "--eth-keys", keys] + eth)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)\n\(chain.log.suffix(2_000))")
        #expect(run.stdout.contains("Demo finished: every segment delivered."), "\(run.stdout)")
        #expect(run.stdout.contains("active set on chain: 4 orchestrators; 4 answered"), "\(run.stdout)")
        #expect(run.stdout.contains("reconciled with the TicketBroker at"), "\(run.stdout)")
        let tickets = try #require(run.stdout.split(separator: "\n").first { $0.contains(" won, ") }).split(separator: " ")
        let won = try #require(tickets.firstIndex(of: "won,")), redeemedCount = try #require(tickets.firstIndex(of: "redeemed"))
        #expect(tickets[won - 1] == tickets[redeemedCount - 1], "every winner redeemed, the stopped nodes' too: \(tickets.joined(separator: " "))")
        // The chain's own books: the broadcaster was funded to 1 ETH from nothing, so its deposit is down by exactly
        // what the demo says the TicketBroker paid.
        let line = try #require(run.stdout.split(separator: "\n").first { $0.contains("wei redeemed on chain") })
        let redeemed = try #require(line.split(separator: " ").dropLast(4).last.map(String.init))
        let node = EthereumNode(rpc: JSONRPCClient(url: chain.rpcURL))
        let reader = LivepeerReader(node: node, deployment: try await LivepeerDeployment.resolve(node: node, controller: try Address(chain.controller)))
        let funds = try await reader.senderFunds(try Address(chain.accounts[1].address))
        // The pool walk is bounded: with a bound of 2 the two highest stakes (charlie 6,000 LPT, alpha 4,000) come back.
        let walked = try await LivepeerReader(node: node, deployment: reader.deployment, maxPoolWalk: 2).transcoderPool()
        #expect(walked.map(\.address) == [try Address(chain.accounts[4].address), try Address(chain.accounts[2].address)])
        #expect(try UInt256(decimal: "1000000000000000000") - funds.deposit == (try UInt256(decimal: redeemed)), "\(line)")
        let report = try await StreamflowExecutable.runOffPool(["report", "fees", "--data", directory + "/demo/node", "--eth-from-block", "0"] + eth)
        #expect(report.status == 0 && report.stderr.contains("equal to the wei"), "\(report.stderr)")

        try "[\"\(chain.accounts[1].privateKey)\"]".write(toFile: keys, atomically: true, encoding: .utf8)
        let short = try await StreamflowExecutable.runOffPool(["demo", "--out", directory + "/demo2", "--seconds", "2", "--eth-keys", keys] + eth)
        #expect(short.status != 0 && short.stderr.contains("5 funded accounts are needed"), "\(short.stderr)")
    }

    @Test("the node SIGKILLed 20 times, often between signing a redemption and its receipt: every winner paid once, none lost, nonces consistent")
    func killedBetweenSigningAndReceipt() async throws {
        let harness = try await Harness()
        defer { harness.remove() }
        // Transactions wait in the pool until a block is mined, every 250 ms: a kill often lands between signing and receipt.
        // Each new round is initialised, as some orchestrator on a live network does.
        _ = try await harness.client.call("devchain_autoMine", [false])
        let client = harness.client
        let miner = Task {
            while !Task.isCancelled {
                _ = try? await client.call("evm_mine", [])
                _ = try? await client.call("devchain_mineRounds", [0])
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        defer { miner.cancel() }
        let ports = try NodeRestartTests.freePorts(2)
        let body = try NodeRestartTests.clip(harness.directory + "/clip.ts")
        var broadcaster = NodeRestartTests.Broadcaster(key: harness.broadcasterKey, address: "http://127.0.0.1:\(ports[0])", body: body)
        var seq: Int64 = 0
        var inFlightAtKill = 0
        var process = try await harness.startNode(ports: ports, name: "node-0", minTickets: 1)
        for round in 1...20 {
            for _ in 0..<2 {
                let reply = try await broadcaster.send(seq: seq, stream: "eth-kill")
                seq += 1
                #expect(reply.status == 200, "round \(round): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...400)))
            process.kill(SIGKILL)
            process.process.waitUntilExit()
            // Signed transactions the log holds with no confirmation or failure: the kill came between signing and receipt.
            let records = try NodeRestartTests.records(harness.data)
            let signed = Set(records.filter { $0.envelope.type == "eth.transaction" }.compactMap { $0.envelope.payload["txHash"]?.stringValue })
            let closed = Set(records.filter { ["redemption.confirmed", "redemption.failed"].contains($0.envelope.type) }
                .compactMap { $0.envelope.payload["txHash"]?.stringValue })
            if !signed.subtracting(closed).isEmpty { inFlightAtKill += 1 }
            process = try await harness.startNode(ports: ports, name: "node-\(round)", minTickets: 1)
            broadcaster.renegotiate()
        }
        for _ in 0..<120 where !(try Self.allRedeemed(data: harness.data)) { try await Task.sleep(for: .milliseconds(500)) }
        #expect(process.stop() == 0)
        #expect(process.output.contains("live state equals the state rebuilt from the log"), "\(process.output.suffix(2_000))")
        miner.cancel()
        let (winners, transactions) = try await harness.expectSettled()
        print("node on a real chain, SIGKILL ×20: \(seq) segments, \(winners) winners in \(transactions) transactions, "
              + "\(inFlightAtKill) kills between signing and receipt")
        #expect(inFlightAtKill >= 3, "only \(inFlightAtKill) kills landed between signing and receipt")
    }

    /// Whether every winner in the node's log is recorded redeemed (read while the node runs).
    static func allRedeemed(data: String) throws -> Bool {
        let records = try NodeRestartTests.records(data)
        let won = Set(records.filter { $0.envelope.type == "ticket.won" }.compactMap { $0.envelope.payload["ticketHash"]?.stringValue })
        let redeemed = Set(records.filter { $0.envelope.type == "ticket.redeemed" }.compactMap { $0.envelope.payload["ticketHash"]?.stringValue })
        return !won.isEmpty && won == redeemed
    }
}
