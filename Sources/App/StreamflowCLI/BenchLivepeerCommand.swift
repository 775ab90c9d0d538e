import ArgumentParser
import EthCrypto
import EthereumRPC
import EthereumSettlement
import Foundation
import JSONCore
import Payments
import Synchronization

/// `streamflow bench livepeer`: gas per redeemed ticket on Livepeer's own TicketBroker, our batches against
/// go-livepeer's one `redeemWinningTicket` per ticket, and redemptions per second through JSON-RPC with the time split
/// between the node and this process. Dev chain only (it mints LPT with the dev chain's hook): `scripts/bench-livepeer`.
struct BenchLivepeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "livepeer",
        abstract: "Gas per ticket (batches vs single redemptions) and redemptions/s on Livepeer's contracts on the dev chain.")

    @Option(help: "The JSON line scripts/dev-chain printed (a file): RPC URL, controller, funded accounts.")
    var devChainInfo: String
    @Option(help: "Batch sizes to measure, comma-separated.")
    var batchSizes: String = "1,3,10,30"
    @Option(help: "Tickets redeemed in the throughput runs (per mode).")
    var throughputTickets: Int = 120
    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: devChainInfo),
              let info = try? JSONParser.parse(Array(data.split(separator: UInt8(ascii: "\n")).first ?? [])),
              let rpc = info["rpc"]?.stringValue, let controller = info["controller"]?.stringValue,
              let accounts = info["accounts"]?.arrayValue, accounts.count >= 3,
              let orchestratorKey = accounts[1]["privateKey"]?.stringValue, let broadcasterKey = accounts[2]["privateKey"]?.stringValue else {
            throw CLIError("\(devChainInfo) is not the dev chain's start-up line")
        }
        let sizes = batchSizes.split(separator: ",").compactMap { Int($0) }
        guard !sizes.isEmpty, sizes.allSatisfy({ (1...200).contains($0) }) else { throw ValidationError("--batch-sizes: 1…200 each") }
        let timed = TimedRPC(JSONRPCClient(url: rpc, timeout: .seconds(120)))
        let node = EthereumNode(rpc: timed)
        let deployment = try await LivepeerDeployment.resolve(node: node, controller: try Address(controller))
        let reader = LivepeerReader(node: node, deployment: deployment)
        let orchestrator = TransactionSender(node: node, key: try PrivateKey(hex: orchestratorKey), chainID: deployment.chainID,
                                             pollInterval: .milliseconds(5))
        let broadcaster = try PrivateKey(hex: broadcasterKey)
        let broadcasterSender = TransactionSender(node: node, key: broadcaster, chainID: deployment.chainID, pollInterval: .milliseconds(5))
        let stake = try UInt256(decimal: "1000000000000000000000")
        _ = try await timed.call("devchain_mintLPT", [.string(orchestrator.address.checksummed), .string(HexQuantity.encode(stake))])
        _ = try await LivepeerAccountActions(sender: orchestrator, deployment: deployment)
            .register(stake: stake, rewardCutPPM: 100_000, feeSharePPM: 500_000, serviceURI: "https://127.0.0.1:8935")
        _ = try await timed.call("devchain_mineRounds", [1])
        let ether = UInt256(1_000_000_000_000_000_000)
        _ = try await LivepeerAccountActions(sender: broadcasterSender, deployment: deployment)
            .fund(deposit: try ether * UInt256(1_000), reserve: ether)
        let face = UInt256(10_000_000_000_000_000)
        var nonce: UInt32 = 0
        func tickets(_ count: Int) async throws -> [SignedTicket] {
            let round = try await reader.currentRound()
            let hash = try await reader.blockHashForRound(round)
            let rand = UInt256(UInt64.random(in: 1...UInt64.max))
            return try (0..<count).map { _ in
                nonce += 1
                let ticket = Ticket(recipient: orchestrator.address, sender: broadcaster.address, faceValue: face, winProb: .max, senderNonce: nonce,
                                    recipientRandHash: TicketLottery.recipientRandHash(rand), creationRound: Int64(round), creationRoundBlockHash: hash)
                return SignedTicket(ticket: ticket, sig: try broadcaster.signMessage(ticket.hash.bytes).bytes, recipientRand: rand)
            }
        }
        func redeem(_ batch: [SignedTicket], maxBatch: Int) async throws -> (gas: UInt64, transactions: Int, paid: Int) {
            let redeemer = LivepeerTicketRedeemer(sender: orchestrator, reader: reader, maxBatch: maxBatch)
            var remaining = batch, gas: UInt64 = 0, transactions = 0, paid = 0
            while !remaining.isEmpty {
                let result = try await redeemer.redeem(remaining)
                gas += result.receipt?.gasUsed ?? 0
                transactions += result.receipt == nil ? 0 : 1
                paid += result.paid.count
                remaining.removeAll { result.outcomes[$0.ticket.hash] != nil }
                if result.outcomes.isEmpty { break }
            }
            return (gas, transactions, paid)
        }

        // The chain's first redemption ever pays for storage no later one touches: keep it out of the figures.
        _ = try await redeem(try await tickets(1), maxBatch: 1)
        var rows: [JSONValue] = []
        var lines = ["tickets  our batch gas/ticket  go-livepeer single gas/ticket  ratio   (each first in a fresh round: cold storage)"]
        for size in sizes {
            _ = try await timed.call("devchain_mineRounds", [1])
            let ours = try await redeem(try await tickets(size), maxBatch: size)
            _ = try await timed.call("devchain_mineRounds", [1])
            let single = try await redeem(try await tickets(size), maxBatch: 1)
            guard ours.paid == size, single.paid == size else { throw CLIError("batch of \(size): \(ours.paid) and \(single.paid) paid") }
            let ratio = Double(ours.gas) / Double(single.gas)
            lines.append(String(format: "%7d  %20llu  %29llu  %5.3f", size, ours.gas / UInt64(size), single.gas / UInt64(size), ratio))
            rows.append(["tickets": .integer(Int64(size)), "batchGasPerTicket": .integer(Int64(ours.gas) / Int64(size)),
                         "singleGasPerTicket": .integer(Int64(single.gas) / Int64(size)), "ratio": .double(ratio)])
        }
        var rates: [JSONValue] = []
        lines.append("")
        lines.append("mode                       tickets  txs   seconds  redemptions/s  node (RPC) share  calls")
        for (name, maxBatch) in [("batches of 30", 30), ("one per transaction", 1)] {
            _ = try await timed.call("devchain_mineRounds", [1])
            let batch = try await tickets(throughputTickets)
            timed.reset()
            let start = ContinuousClock.now
            let result = try await redeem(batch, maxBatch: maxBatch)
            let seconds = (ContinuousClock.now - start).seconds
            let rpcSeconds = timed.total.seconds
            lines.append(String(format: "%@ %7d %4d %9.2f %14.1f %16.0f%%  %@", name.padding(toLength: 26, withPad: " ", startingAt: 0),
                                result.paid, result.transactions, seconds, Double(result.paid) / seconds, 100 * rpcSeconds / seconds,
                                timed.summary))
            rates.append(["mode": .string(name), "tickets": .integer(Int64(result.paid)), "transactions": .integer(Int64(result.transactions)),
                          "seconds": .double(seconds), "perSecond": .double(Double(result.paid) / seconds), "rpcSeconds": .double(rpcSeconds)])
        }
        if json {
            print(String(decoding: try CanonicalJSON.encode(["gas": .array(rows), "throughput": .array(rates)]), as: UTF8.self))
        } else {
            print(lines.joined(separator: "\n"))
        }
    }
}

/// Wraps an `EthereumRPC` and adds up the wall time of its calls per method (the node's share of a run).
final class TimedRPC: EthereumRPC {
    private let inner: any EthereumRPC
    private let totals = Mutex<[String: (calls: Int, time: Duration)]>([:])

    init(_ inner: any EthereumRPC) { self.inner = inner }

    func call(_ method: String, _ params: [JSONValue]) async throws(EthereumRPCError) -> JSONValue {
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            totals.withLock { $0[method, default: (0, .zero)].calls += 1; $0[method, default: (0, .zero)].time += elapsed }
        }
        return try await inner.call(method, params)
    }

    func reset() { totals.withLock { $0.removeAll() } }
    var total: Duration { totals.withLock { $0.values.reduce(Duration.zero) { $0 + $1.time } } }
    var summary: String {
        totals.withLock { $0.sorted { $0.value.time > $1.value.time }.prefix(4)
            .map { "\($0.key.replacingOccurrences(of: "eth_", with: "")) \($0.value.calls)× \(String(format: "%.2f", $0.value.time.seconds)) s" }
            .joined(separator: ", ") }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
