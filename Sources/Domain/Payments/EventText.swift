public import EthCrypto

/// Remembers the text of the last few addresses, amounts and hashes written into events. The events of one
/// payment repeat the same sender, recipient, face value, winProb and EV, and EIP-55 checksums and 78-digit
/// decimals are the most expensive part of writing them.
public struct EventText: Sendable {
    private var addresses: [(Address, String)] = []
    private var amounts: [(UInt256, String)] = []
    private var hashes: [(Hash32, String)] = []
    private static let capacity = 4

    public init() {}

    public mutating func address(_ address: Address) -> String {
        if let hit = addresses.first(where: { $0.0 == address }) { return hit.1 }
        let text = address.checksummed
        remember(&addresses, (address, text))
        return text
    }

    public mutating func amount(_ value: UInt256) -> String {
        if let hit = amounts.first(where: { $0.0 == value }) { return hit.1 }
        let text = value.description
        remember(&amounts, (value, text))
        return text
    }

    public mutating func hash(_ value: Hash32) -> String {
        if let hit = hashes.first(where: { $0.0 == value }) { return hit.1 }
        let text = value.hex
        remember(&hashes, (value, text))
        return text
    }

    private func remember<T>(_ list: inout [(T, String)], _ entry: (T, String)) {
        if list.count == Self.capacity { list.removeFirst() }
        list.append(entry)
    }
}
