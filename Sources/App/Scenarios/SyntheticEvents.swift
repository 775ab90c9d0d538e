import EthCrypto
public import EventModel

/// Valid, schema-conforming synthetic events for benchmarks and crash tests: a stream's segment
/// lifecycle (ingested, dispatched, delivered, in turn) with payloads of 100–200 bytes.
public struct SyntheticEvents: Sendable {
    private var random: SplitMix64
    private var counter: UInt64 = 0
    public let stream: String
    private let orchestrators: [String]

    public init(seed: UInt64, stream: String) {
        random = SplitMix64(seed: seed)
        self.stream = stream
        // Four fixed, recognisable addresses: 0xa1a1…, 0xb2b2…, 0xc3c3…, 0xd4d4….
        orchestrators = ["a1", "b2", "c3", "d4"].map { "0x" + String(repeating: $0, count: 20) }
    }

    /// The next event; ids are unique per (stream, counter).
    public mutating func next() -> EventEnvelope {
        counter += 1
        let segment = Int64(counter / 3)
        let orchestrator = orchestrators[Int(counter % 4)]
        let id = "\(stream)/\(counter)"
        let timestamp = Int64(1_700_000_000_000 + counter * 10)
        switch counter % 3 {
        case 0:
            return SegmentIngested(seq: segment, durationMs: 2000, bytes: Int64(100_000 + random.next() % 50_000), dataHash: randomHash(),
                                   width: 1280, height: 720)
                .envelope(id: id, keys: EventKeys(stream: stream), timestamp: timestamp)
        case 1:
            return SegmentDispatched(seq: segment, orchestrator: orchestrator, attempt: 1, tickets: Int64(random.next() % 4),
                                     transcoder: "t-\(random.next() % 8)")
                .envelope(id: id, keys: EventKeys(stream: stream, orchestrator: orchestrator), timestamp: timestamp)
        default:
            return SegmentDelivered(seq: segment, orchestrator: orchestrator, latencyMs: Int64(300 + random.next() % 900))
                .envelope(id: id, keys: EventKeys(stream: stream, orchestrator: orchestrator), timestamp: timestamp)
        }
    }

    private mutating func randomHash() -> String {
        var bytes: [UInt8] = []
        for _ in 0..<4 {
            let word = random.next()
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return Hex.encode(bytes)
    }
}
