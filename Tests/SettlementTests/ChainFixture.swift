import EthCrypto
import Payments
@testable import Settlement

/// A small chain: rounds of 10 blocks, an active set of 2, one broadcaster with deposit and reserve,
/// three registered orchestrators (two active by stake), one delegator.
struct ChainFixture {
    var chain: ChainState
    let broadcaster: PrivateKey
    let orchestrators: [Address]
    let delegator: Address
    let gasPrice = UInt256(1_000)
    static let eth = UInt256(1_000_000_000_000_000_000)

    init(deposit: UInt256 = UInt256(1_000_000), reserve: UInt256 = UInt256(10_000_000)) throws {
        chain = ChainState(config: ChainConfig(blocksPerRound: 10, activeSetSize: 2, gasPerTransaction: 100, gasPerTicket: 10))
        broadcaster = try PrivateKey.generate()
        orchestrators = try (0..<3).map { _ in try PrivateKey.generate().address }
        delegator = try PrivateKey.generate().address
        for account in [broadcaster.address, delegator] + orchestrators {
            _ = chain.execute(.mint(to: account, amount: Self.eth), from: account, gasPrice: .zero)
        }
        for (index, orchestrator) in orchestrators.enumerated() {
            _ = chain.execute(.registerTranscoder(rewardCut: 100_000, feeShare: 250_000), from: orchestrator, gasPrice: gasPrice)
            _ = chain.execute(.stake(delegator: orchestrator, transcoder: orchestrator, amount: UInt256(UInt64(3 - index) * 1_000)),
                              from: orchestrator, gasPrice: .zero)
        }
        _ = chain.execute(.stake(delegator: delegator, transcoder: orchestrators[0], amount: UInt256(1_000)), from: delegator, gasPrice: .zero)
        _ = chain.execute(.fundDeposit(deposit), from: broadcaster.address, gasPrice: gasPrice)
        _ = chain.execute(.fundReserve(reserve), from: broadcaster.address, gasPrice: gasPrice)
        chain.advance(blocks: 10)
    }

    /// A ticket from the broadcaster to `recipient`, created this round, winning unless `winProb` says otherwise.
    func ticket(to recipient: Address, faceValue: UInt256, nonce: UInt32, rand: UInt256 = UInt256(42),
                winProb: UInt256 = .max, signer: PrivateKey? = nil, round: Int64? = nil) throws -> SignedTicket {
        let creation = round ?? chain.round
        let ticket = Ticket(recipient: recipient, sender: broadcaster.address, faceValue: faceValue, winProb: winProb,
                            senderNonce: nonce, recipientRandHash: TicketLottery.recipientRandHash(rand),
                            creationRound: creation, creationRoundBlockHash: chain.roundBlockHashes[creation] ?? .zero)
        let sig = try (signer ?? broadcaster).signMessage(ticket.hash.bytes).bytes
        return SignedTicket(ticket: ticket, sig: sig, recipientRand: rand)
    }
}
