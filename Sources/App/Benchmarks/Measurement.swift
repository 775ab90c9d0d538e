/// One benchmark figure: operations per second over the best of several timed rounds.
public struct Measurement: Sendable, Codable, Equatable {
    public let name: String
    public let iterations: Int
    public let nanosecondsPerOperation: Double
    /// Bytes processed per operation, when throughput in MB/s means something.
    public let bytesPerOperation: Int?

    public var operationsPerSecond: Double { 1e9 / nanosecondsPerOperation }
    public var megabytesPerSecond: Double? { bytesPerOperation.map { Double($0) * operationsPerSecond / 1e6 } }
}

/// Times a closure: a warm-up, then `rounds` timed rounds of `iterations`; keeps the fastest round
/// (the one least disturbed by the rest of the machine).
public func measure(
    _ name: String, iterations: Int, rounds: Int = 5, bytes: Int? = nil, _ body: () -> Void
) -> Measurement {
    for _ in 0..<max(1, iterations / 10) { body() }
    let clock = ContinuousClock()
    var best = Duration.seconds(1_000_000)
    for _ in 0..<rounds {
        let elapsed = clock.measure { for _ in 0..<iterations { body() } }
        best = min(best, elapsed)
    }
    let nanoseconds = Double(best.components.seconds) * 1e9 + Double(best.components.attoseconds) / 1e9
    return Measurement(
        name: name, iterations: iterations, nanosecondsPerOperation: nanoseconds / Double(iterations),
        bytesPerOperation: bytes)
}

/// Keeps a value alive so the optimizer cannot delete the work that produced it.
@inline(never)
public func blackHole<T>(_ value: T) { _ = value }

/// The value at fraction `p` (0…1) of an ascending array (the nearest rank at or above it); 0 when empty.
public func percentile(_ sorted: [Int64], _ p: Double) -> Int64 {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}
