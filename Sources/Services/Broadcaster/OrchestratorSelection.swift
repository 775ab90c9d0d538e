public import EthCrypto
public import EventModel

/// One orchestrator as a broadcaster knows it: its offer and stake, and whether it is suspended.
public struct OrchestratorCandidate: Sendable, Hashable {
    public let address: Address
    public let url: String
    /// Price in wei per pixel, as a double for ranking only (payments use the exact PriceInfo).
    public let pricePerPixel: Double
    public let stake: Double

    public init(address: Address, url: String, pricePerPixel: Double, stake: Double) {
        self.address = address
        self.url = url
        self.pricePerPixel = pricePerPixel
        self.stake = stake
    }
}

/// Which orchestrators get a stream's segments: those at or under the max price and not suspended, drawn
/// with weight stake / price (cheaper and better-staked more often, every eligible one sometimes); a failed
/// one is suspended for a number of segments that doubles with each failure. Pure: randomness is a seed.
public struct OrchestratorSelection: Sendable {
    public let maxPricePerPixel: Double
    public private(set) var suspendedUntil: [Address: Int] = [:]
    public private(set) var failures: [Address: Int] = [:]
    private var random: SplitMix64

    public init(maxPricePerPixel: Double, seed: UInt64) {
        self.maxPricePerPixel = maxPricePerPixel
        random = SplitMix64(seed: seed)
    }

    /// The candidates that may be chosen for segment `seq`: at or under the max price and not suspended.
    public func eligible(_ candidates: [OrchestratorCandidate], seq: Int) -> [OrchestratorCandidate] {
        candidates.filter { $0.pricePerPixel <= maxPricePerPixel && (suspendedUntil[$0.address] ?? .min) <= seq }
    }

    /// Up to `count` distinct orchestrators for segment `seq`, best draw first.
    public mutating func choose(_ candidates: [OrchestratorCandidate], count: Int, seq: Int) -> [OrchestratorCandidate] {
        var pool = eligible(candidates, seq: seq)
        var chosen: [OrchestratorCandidate] = []
        while chosen.count < count, !pool.isEmpty {
            let weights = pool.map { max($0.stake, 1) / max($0.pricePerPixel, 1e-9) }
            var target = random.unit() * weights.reduce(0, +)
            var pick = pool.count - 1
            for (index, weight) in weights.enumerated() {
                if target < weight { pick = index; break }
                target -= weight
            }
            chosen.append(pool.remove(at: pick))
        }
        return chosen
    }

    /// Records a failure at segment `seq`: suspended for 2, 4, 8 … segments.
    public mutating func suspend(_ orchestrator: Address, at seq: Int) {
        let count = min((failures[orchestrator] ?? 0), Int.max - 1) + 1
        failures[orchestrator] = count
        // seq comes from the wire (a pushed segment's name): saturate instead of trapping near Int.max.
        let (until, overflow) = seq.addingReportingOverflow(1 << min(count, 10))
        suspendedUntil[orchestrator] = overflow ? .max : until
    }
}
