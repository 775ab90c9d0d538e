import EthABI
import EthCrypto
import EthereumRPC
import EthereumSettlement
import Foundation
import JSONCore
import LivepeerABI
import Payments
import TestSupport

/// One dev chain (py-evm running Livepeer's real bytecode) with the settlement backend's objects pointed at it,
/// and the steps a test needs: LPT from the minter hook, an orchestrator registered, a broadcaster funded,
/// tickets signed by our own Payments code.
final class LivepeerChainFixture: Sendable {
    let chain: DevChain
    let client: JSONRPCClient
    let node: EthereumNode
    let deployment: LivepeerDeployment
    let reader: LivepeerReader

    static let ether = UInt256(1_000_000_000_000_000_000)
    static let maxWinProb = UInt256.max

    init() async throws {
        chain = try await DevChain()
        client = JSONRPCClient(url: chain.rpcURL, timeout: .seconds(30))
        node = EthereumNode(rpc: client)
        deployment = try await LivepeerDeployment.resolve(node: node, controller: try Address(chain.controller), expectedChainID: chain.chainID)
        reader = LivepeerReader(node: node, deployment: deployment)
    }

    func key(_ index: Int) throws -> PrivateKey { try PrivateKey(hex: chain.accounts[index].privateKey) }

    func sender(_ index: Int, policy: FeePolicy = FeePolicy(), pollInterval: Duration = .milliseconds(50),
                journal: @escaping @Sendable (SignedEIP1559Transaction) async throws -> Void = { _ in }) throws -> TransactionSender {
        TransactionSender(node: node, key: try key(index), chainID: deployment.chainID, policy: policy, pollInterval: pollInterval, journal: journal)
    }

    /// A dev-chain hook (`devchain_*`, `evm_*`).
    @discardableResult
    func hook(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue { try await client.call(method, params) }

    /// LPT minted, bonded to itself, `transcoder(rewardCut, feeShare)`, a service URI, then the next round
    /// initialised so it is active.
    func registerOrchestrator(_ index: Int, stake: UInt256 = try! UInt256(decimal: "10000000000000000000000"),
                              uri: String = "https://127.0.0.1:8935") async throws -> TransactionSender {
        let orchestrator = try sender(index)
        try await hook("devchain_mintLPT", [.string(orchestrator.address.checksummed), .string(HexQuantity.encode(stake))])
        _ = try await LivepeerAccountActions(sender: orchestrator, deployment: deployment)
            .register(stake: stake, rewardCutPPM: 100_000, feeSharePPM: 500_000, serviceURI: uri)
        try await hook("devchain_mineRounds", [1])
        return orchestrator
    }

    func fund(_ index: Int, deposit: UInt256, reserve: UInt256) async throws -> TransactionSender {
        let broadcaster = try sender(index)
        _ = try await LivepeerAccountActions(sender: broadcaster, deployment: deployment).fund(deposit: deposit, reserve: reserve)
        return broadcaster
    }

    /// `count` tickets from `broadcaster` to `recipient` for the current round, signed by our own code
    /// (winProb 2²⁵⁶−1: every one wins), all with one recipientRand.
    func tickets(from broadcaster: Int, to recipient: Address, count: Int, faceValue: UInt256, firstNonce: UInt32 = 1,
                 recipientRand: UInt256? = nil) async throws -> [SignedTicket] {
        let key = try key(broadcaster)
        let round = try await reader.currentRound()
        let blockHash = try await reader.blockHashForRound(round)
        let rand = recipientRand ?? UInt256(UInt64.random(in: 1...UInt64.max))
        let randHash = TicketLottery.recipientRandHash(rand)
        return try (0..<count).map { offset in
            let ticket = Ticket(recipient: recipient, sender: key.address, faceValue: faceValue, winProb: Self.maxWinProb,
                                senderNonce: firstNonce + UInt32(offset), recipientRandHash: randHash, creationRound: Int64(round),
                                creationRoundBlockHash: blockHash)
            return SignedTicket(ticket: ticket, sig: try key.signMessage(ticket.hash.bytes).bytes, recipientRand: rand)
        }
    }

    deinit { chain.stop() }
}
