public import EthCrypto
public import EthereumSettlement
import Logging
public import Payments
import Synchronization

/// go-livepeer's sender monitor, for ticket params on a real chain: each broadcaster's deposit and reserve on the
/// TicketBroker, and what this orchestrator already claimed from that reserve this round, read when the sender asks for
/// params and kept for `maxAge`. A sender's face value is capped by these (its max float) instead of an assumed 1 ETH, so
/// a broadcaster with an empty deposit is offered nothing it could not pay. A sender never read, or whose read failed, has
/// no funds as far as params go (GetOrchestrator then fails with the typed reason). At most `capacity` senders are kept;
/// the one read longest ago is forgotten first (and read again when it returns).
public final class SenderFundsMonitor: Sendable {
    public let reader: LivepeerReader
    /// The orchestrator: its claims on a sender's reserve count against what it may still claim.
    public let recipient: Address
    public let capacity: Int
    public let maxAge: Duration
    private let state = Mutex(State())
    private let logger = Logger(label: "sender-funds")

    private struct State {
        var entries: [Address: Entry] = [:]
        var evicted = 0
    }

    private struct Entry {
        var funds: SenderFunds
        var readAt: ContinuousClock.Instant
    }

    public init(reader: LivepeerReader, recipient: Address, capacity: Int = 10_000, maxAge: Duration = .seconds(30)) {
        self.reader = reader
        self.recipient = recipient
        self.capacity = max(1, capacity)
        self.maxAge = maxAge
    }

    /// The funds as last read; zero for a sender not read (yet).
    public func funds(_ sender: Address) -> SenderFunds {
        state.withLock { $0.entries[sender]?.funds } ?? SenderFunds(deposit: .zero, reserve: .zero)
    }

    /// Senders kept now, and how many were forgotten to stay within `capacity`.
    public var counts: (kept: Int, evicted: Int) { state.withLock { ($0.entries.count, $0.evicted) } }

    /// Reads `sender`'s funds from the chain unless they were read within `maxAge`; a failed read keeps what was known.
    public func refresh(_ sender: Address) async {
        let now = ContinuousClock.now
        if let readAt = state.withLock({ $0.entries[sender]?.readAt }), now - readAt < maxAge { return }
        do {
            let onChain = try await reader.senderFunds(sender)
            let claimed = try await reader.claimedReserve(sender: sender, claimant: recipient)
            // A deposit being unlocked is about to leave: params are sized as if it were gone (go-livepeer refuses such senders).
            let unlocking = !onChain.withdrawRound.isZero
            let funds = SenderFunds(deposit: unlocking ? .zero : onChain.deposit, reserve: unlocking ? .zero : onChain.reserve,
                                    claimedInCurrentRound: onChain.claimedInCurrentRound, claimedByMe: claimed)
            store(sender, Entry(funds: funds, readAt: now))
        } catch {
            logger.warning("sender funds not read; keeping what was known", metadata: ["sender": "\(sender.checksummed)", "error": "\(error)"])
        }
    }

    private func store(_ sender: Address, _ entry: Entry) {
        state.withLock { state in
            if state.entries[sender] == nil, state.entries.count >= capacity,
               let oldest = state.entries.min(by: { $0.value.readAt < $1.value.readAt })?.key {
                state.entries[oldest] = nil
                state.evicted += 1
            }
            state.entries[sender] = entry
        }
    }
}
