public import EthCrypto
public import Payments

/// Where an orchestrator learns a sender's deposit and reserve for its ticket params (the face value is capped by the
/// sender's max float): `read` is what is known now (on the request path, no I/O); `refresh` brings it up to date
/// before params are offered (a chain read when stale). Without a chain every sender is assumed to hold 1 ETH of each.
public struct SenderFundsSource: Sendable {
    public let read: @Sendable (Address) -> SenderFunds
    public let refresh: @Sendable (Address) async -> Void

    public init(read: @escaping @Sendable (Address) -> SenderFunds, refresh: @escaping @Sendable (Address) async -> Void = { _ in }) {
        self.read = read
        self.refresh = refresh
    }

    /// 1 ETH deposit and 1 ETH reserve for every sender (a node not connected to a real chain).
    public static let assumed = SenderFundsSource(read: { _ in
        SenderFunds(deposit: UInt256(1_000_000_000_000_000_000), reserve: UInt256(1_000_000_000_000_000_000))
    })
}
