public import EthCrypto
public import EthereumRPC
import EthABI
import LivepeerABI

/// What Livepeer's TicketBroker paid one recipient, from its own event logs: the `WinningTicketTransfer` amounts
/// (deposit and reserve together) and the `WinningTicketRedeemed` tickets, read with `eth_getLogs` in block ranges of
/// `chunk` (nodes bound a range's size). Finance reconciles a node's log with this, to the wei.
public struct LivepeerFeeAudit: Sendable {
    public let reader: LivepeerReader
    public let chunk: UInt64

    public init(reader: LivepeerReader, chunk: UInt64 = 50_000) {
        self.reader = reader
        self.chunk = max(1, chunk)
    }

    /// The chain's totals for `recipient` from `fromBlock` to the latest block.
    public struct Settled: Sendable, Hashable {
        public var amount = UInt256.zero
        public var tickets = 0
        public var transactions: Set<Hash32> = []
        public var throughBlock: UInt64 = 0
    }

    public func settled(recipient: Address, fromBlock: UInt64 = 0) async throws(EthereumSettlementError) -> Settled {
        let node = reader.node
        let broker = reader.deployment.ticketBroker
        let latest: UInt64
        do { latest = try await node.blockNumber() } catch { throw .rpc(error) }
        var result = Settled(throughBlock: latest)
        var start = fromBlock
        let recipientTopic = Hash32.addressTopic(recipient)
        while start <= latest {
            let end = min(latest, start + chunk - 1)
            for topic in [LivepeerEvents.winningTicketTransfer.topic, LivepeerEvents.winningTicketRedeemed.topic] {
                let logs: [EthereumLog]
                do { logs = try await node.logs(address: broker, topic0: topic, fromBlock: start, toBlock: end) } catch { throw .rpc(error) }
                for log in logs where log.topics.count >= 3 && log.topics[2] == recipientTopic {
                    if topic == LivepeerEvents.winningTicketRedeemed.topic {
                        result.tickets += 1
                        if let hash = log.transactionHash { result.transactions.insert(hash) }
                    } else if let amount = try? LivepeerEvents.winningTicketTransfer.decode(topics: log.topics, data: log.data)[2].uint256 {
                        result.amount = (try? result.amount + amount) ?? .max
                    }
                }
            }
            start = end + 1
        }
        return result
    }
}

extension Hash32 {
    /// An address as an indexed event topic: left-padded to 32 bytes.
    static func addressTopic(_ address: Address) -> Hash32 {
        (try? Hash32(bytes: [UInt8](repeating: 0, count: 12) + address.bytes)) ?? .zero
    }
}
