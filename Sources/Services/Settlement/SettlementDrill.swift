import Foundation
public import EthCrypto
public import EventLog
import EventModel
public import Payments
public import Projections
import Synchronization

/// A small orchestrator node for drills and demos: a log and an LMDB chain under one directory, a funded
/// broadcaster, and an orchestrator whose ticket params make nearly every ticket win — so redemptions
/// happen often enough to be killed in the middle of. Keys are derived from `seed`; reopening finds the
/// same node. `start()` runs its projection host (the redeemer reads from it); `close()` stops it and the log.
public final class SettlementDrill: Sendable {
    public let log: EventLog
    public let chain: LocalChain
    public let host: ProjectionHost
    public let service: RedemptionService
    private let hosting = Mutex<Task<Void, any Error>?>(nil)
    public let recipient: TicketRecipient
    public let broadcaster: PrivateKey
    public let orchestrator: Address

    public init(directory: String, seed: UInt64) throws {
        broadcaster = try PrivateKey(bytes: Keccak256.hash(Array("drill broadcaster \(seed)".utf8)).bytes)
        let orchestratorKey = try PrivateKey(bytes: Keccak256.hash(Array("drill orchestrator \(seed)".utf8)).bytes)
        orchestrator = orchestratorKey.address
        log = try EventLog(directory: directory + "/log")
        let (sender, me) = (broadcaster.address, orchestrator)
        chain = try LocalChain(directory: directory + "/chain", genesis: {
            var genesis = ChainState(config: ChainConfig(blocksPerRound: 1_000, activeSetSize: 10, gasPerTransaction: 100, gasPerTicket: 10))
            for account in [sender, me] {
                _ = genesis.execute(.mint(to: account, amount: UInt256(1_000_000_000_000_000)), from: account, gasPrice: .zero)
            }
            _ = genesis.execute(.registerTranscoder(rewardCut: 0, feeShare: 200_000), from: me, gasPrice: .zero)
            _ = genesis.execute(.stake(delegator: me, transcoder: me, amount: UInt256(10)), from: me, gasPrice: .zero)
            _ = genesis.execute(.fundDeposit(UInt256(100_000_000_000_000)), from: sender, gasPrice: .zero)
            _ = genesis.execute(.fundReserve(UInt256(1_000_000_000)), from: sender, gasPrice: .zero)
            genesis.advance(blocks: 1_000)
            return genesis
        }(), log: log)
        recipient = TicketRecipient(validator: TicketValidator(
            recipient: orchestrator, secret: RecipientSecret(key: Array("drill secret \(seed)".utf8)),
            policy: TicketPolicy(expectedValue: UInt256(9_999_999), redeemGas: 1, txCostMultiplier: 1_000)))
        host = try ProjectionHost(log: log, projections: BuiltInProjections.node)
        service = try RedemptionService(
            chain: chain, store: host, sink: LogEventSink(log: log), orchestrator: orchestrator,
            redeemer: Redeemer(policy: RedeemerPolicy(maxCostShare: 10_000, maxBatch: 50, minBatch: 1)),
            clock: SteppingClock(start: 1_700_000_000_000))
    }

    /// Appends one payment of `tickets` tickets under fresh params (their seed is the log's head, so a
    /// restarted drill never reuses a recipientRand); returns how many won.
    @discardableResult
    public func pay(tickets: Int) async throws -> Int {
        let state = chain.state
        let head = log.head.sequence
        let context = ValidationContext(currentBlock: state.block, currentRound: state.round,
                                        roundBlockHashes: state.roundBlockHashes, gasPrice: .one)
        let price = try PriceInfo(pricePerUnit: .one, pixelsPerUnit: .one)
        let params = try recipient.ticketParams(
            sender: broadcaster.address, funds: SenderFunds(deposit: UInt256(100_000_000_000), reserve: UInt256(100_000_000)),
            activeSetSize: 10, price: price, context: context, seed: Keccak256.hash(UInt256(head).bigEndianBytes))
        let senderParams = try (1...UInt32(tickets)).map { nonce in
            TicketSenderParams(senderNonce: nonce,
                               sig: try broadcaster.signMessage(params.ticket(sender: broadcaster.address, senderNonce: nonce).hash.bytes).bytes)
        }
        let outcome = recipient.receive(Payment(sender: broadcaster.address, ticketParams: params, senderParams: senderParams,
                                                expectedPrice: price), context: context)
        let envelopes = outcome.events.enumerated().map { index, event in
            event.envelope(id: "drill/\(head)/\(index)", timestamp: 1_700_000_000_000 + Int64(head))
        }
        let appended = try await log.append(envelopes)
        if let last = appended.map(\.sequence).max() { try await host.waitUntilApplied(through: last) }
        return outcome.winners.count
    }

    /// Starts the projection host following the log (idempotent).
    public func start() {
        hosting.withLock { task in
            guard task == nil else { return }
            let host = host
            task = Task { try await host.run() }
        }
    }

    /// Stops the host (it persists its snapshot) and closes the log.
    public func close() async {
        if let task = hosting.withLock({ $0.take() }) {
            task.cancel()
            _ = try? await task.value
        }
        log.close()
    }
}
