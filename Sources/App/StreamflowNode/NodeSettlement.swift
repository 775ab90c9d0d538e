public import EthCrypto
public import EventModel
public import Payments
public import Projections
import ServiceLifecycle
public import Settlement

/// The node's settlement side: the chain its tickets name (rounds, block hashes, gas price), its redeemer (a
/// `RedeemerService` reading winners from the node's projection host, writing through the node's event sink) and,
/// with the embedded chain, a `ChainTicker` that mines a block every `blockSeconds` as a development chain does.
/// Put `services` into the node's service group after the projection host (they stop before it).
public struct NodeSettlement: Sendable {
    public let chain: LocalChain
    public let gasPrice: GasPriceSource
    public let redemption: RedemptionService
    public let redeemer: RedeemerService
    public let ticker: ChainTicker?

    /// `host` is the node's projection host (it must run `PaymentsLedgerProjection`); `sink` the node's event sink.
    /// `recipient`, when given, hears every redemption and expiry once it is durable (its pending winners shrink).
    init(chainDirectory: String, host: ProjectionHost, sink: any EventSink, orchestrator: Address, gasPrice: UInt256,
         minBatch: Int, blockSeconds: Double, recipient: TicketRecipient? = nil) throws {
        chain = try LocalChain(directory: chainDirectory, genesis: ChainState(config: ChainConfig()), log: host.log)
        self.gasPrice = GasPriceSource(gasPrice)
        redemption = try RedemptionService(chain: chain, store: host, sink: sink, orchestrator: orchestrator,
                                           redeemer: Redeemer(policy: RedeemerPolicy(minBatch: minBatch)), clock: SystemClock(),
                                           onRecorded: { envelopes in
                                               guard let recipient else { return }
                                               for envelope in envelopes {
                                                   if let event = PaymentEvent(envelope: envelope) { recipient.settle(event) }
                                               }
                                           })
        ticker = blockSeconds > 0 ? ChainTicker(chain: chain, every: .milliseconds(Int64(blockSeconds * 1_000))) : nil
        redeemer = RedeemerService(redemption: redemption, gasPrice: self.gasPrice, ticker: ticker)
    }

    /// The chain as tickets must name it now.
    public var context: ValidationContext {
        let state = chain.state
        return ValidationContext(currentBlock: state.block, currentRound: state.round, roundBlockHashes: state.roundBlockHashes,
                                 gasPrice: gasPrice.current)
    }

    /// The ticker (when the chain is embedded) and the redeemer, in start order.
    var services: [any Service] { (ticker.map { [$0] } ?? []) + [redeemer] }
}
