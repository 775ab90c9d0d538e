import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
import KafkaBus
import Settlement
import Testing
import TestSupport

/// The node's redeemer in distributed mode: winning tickets paid to `streamflow node --kafka --chain` reach its
/// log through Kafka, and its redeemer cashes them on the chain; the log's redemptions match the chain's used tickets.
@Suite(.serialized) struct DistributedSettlementTests {
    @Test func winningTicketsAreRedeemedByTheNodesRedeemer() async throws {
        let (broker, _, _) = try await KafkaTestKit.broker(prefix: "settle.")
        defer { broker.stop() }
        let directory = try KafkaTestKit.temporary("settle")
        let orchestrator = try PrivateKey.generate()
        let broadcaster = try PrivateKey.generate()
        // Genesis: the orchestrator registered and staked (so it is in the active set), the broadcaster funded.
        let chainDirectory = directory + "/node/chain"
        try FileManager.default.createDirectory(atPath: directory + "/node", withIntermediateDirectories: true)
        do {
            let ether = UInt256(1_000_000_000_000_000_000)
            _ = try LocalChain(directory: chainDirectory, genesis: {
                var genesis = ChainState(config: ChainConfig(blocksPerRound: 50, activeSetSize: 100))
                for account in [orchestrator.address, broadcaster.address] {
                    _ = genesis.execute(.mint(to: account, amount: (try? ether * UInt256(10)) ?? ether), from: account, gasPrice: .zero)
                }
                _ = genesis.execute(.registerTranscoder(rewardCut: 100_000, feeShare: 500_000), from: orchestrator.address, gasPrice: .zero)
                _ = genesis.execute(.stake(delegator: orchestrator.address, transcoder: orchestrator.address, amount: UInt256(1_000)),
                                    from: orchestrator.address, gasPrice: .zero)
                _ = genesis.execute(.fundDeposit(ether), from: broadcaster.address, gasPrice: .zero)
                _ = genesis.execute(.fundReserve(ether), from: broadcaster.address, gasPrice: .zero)
                genesis.advance(blocks: 50)
                return genesis
            }())
        }
        let password = directory + "/password"
        try Data("test-password\n".utf8).write(to: URL(fileURLWithPath: password))
        for (name, key) in [("orchestrator", orchestrator), ("broadcaster", broadcaster)] {
            try Data(try Keystore.encrypt(key, password: "test-password", kdf: .light).utf8)
                .write(to: URL(fileURLWithPath: "\(directory)/\(name).json"))
        }
        let input = directory + "/in.mp4"
        try KafkaTestKit.clip(input, seconds: 12)
        // Each ticket wins with probability 1/2 (face value = 2 × EV); the price makes ~5 tickets per segment (a total EV
        // under the broadcaster's 20,000 gwei cap), so 6 segments without a winner would take odds of 2^-30; gas is
        // cheap, so any winner is worth redeeming at once.
        let node = try ChildProcess.streamflow(
            ["node", "--kafka", broker.address, "--data", directory + "/node", "--port", "0", "--no-tls", "--topic-prefix", "settle.",
             "--partitions", "3", "--profiles", "P144p30fps16x9", "--chain", chainDirectory, "--price-per-pixel", "5000000",
             "--keystore", directory + "/orchestrator.json", "--password-file", password, "--gas-price-wei", "1000",
             "--ticket-ev", "2000000000000", "--ticket-multiplier", "2", "--redeem-min-tickets", "1", "--redeem-every", "1",
             "--block-seconds", "0"],
            outputPath: directory + "/node.out")
        defer { node.stop() }
        #expect(await node.waitFor("serving at", seconds: 60), "\(node.output)")
        let worker = try await DistributedNodeTests.startWorker(broker: broker.address, prefix: "settle.", name: "w1", directory: directory)
        defer { worker.stop() }
        let url = try #require(DistributedNodeTests.nodeURL(node))
        let arguments = ["broadcast", input, "--orchestrators", url, "--out", directory + "/out", "--profiles", "P144p30fps16x9",
                         "--attempt-timeout", "60", "--max-price-per-pixel", "100000000",
                         "--keystore", directory + "/broadcaster.json", "--password-file", password]
        let outcome = try await OffPool.run { try StreamflowExecutable.run(arguments) }
        #expect(outcome.stdout.contains("6 segments: 6 delivered, 0 lost"), "\(outcome.stdout)\(outcome.stderr)")

        // Wait for the log to hold a confirmed redemption, then stop the node and compare log and chain.
        let redeemed = try await KafkaTestKit.eventually(seconds: 60) {
            ((try? DistributedNodeTests.records(directory + "/node")) ?? []).contains { $0.envelope.type == "redemption.confirmed" }
        }
        #expect(node.stop() == 0)
        let records = try DistributedNodeTests.records(directory + "/node")
        let won = records.filter { $0.envelope.type == "ticket.won" }.count
        let redeemedTickets = records.filter { $0.envelope.type == "ticket.redeemed" }
        #expect(won >= 5, "\(won) winning tickets")
        #expect(redeemed, "no redemption.confirmed in the log: \(node.output.suffix(2_000))")
        let chain = try LocalChain.existing(directory: chainDirectory)
        #expect(chain.state.usedTickets.count == redeemedTickets.count, "\(node.output.suffix(3_000))")
        #expect(redeemedTickets.count >= 1)
        let verify = try KafkaTestKit.verifies(directory + "/node")
        #expect(verify.passed, "\(verify.output)")
    }
}
