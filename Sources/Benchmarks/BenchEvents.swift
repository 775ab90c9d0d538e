import EventModel
import JSONCore

/// Benchmark events: segment.failed events whose canonical payload is exactly 200 bytes.
enum BenchEvents {
    static let payloadBytes = 200
    private static let orchestrator = "0x3badDb1eeE2105893136A3F96c8a963E9C6309d6"

    static func event(_ index: Int) -> EventEnvelope {
        let fixed: JSONValue = ["seq": .integer(Int64(index)), "orchestrator": .string(orchestrator), "attempt": 1,
                                "reason": "timeout", "final": false, "detail": ""]
        let base = (try? CanonicalJSON.encode(fixed).count) ?? payloadBytes
        let detail = String(repeating: "x", count: max(0, payloadBytes - base))
        return EventEnvelope(
            id: "bench-\(index)", type: "segment.failed", version: 1, topic: .segments,
            keys: EventKeys(stream: "bench-stream-\(index % 64)"), timestamp: 1_700_000_000_000 + Int64(index),
            payload: ["seq": .integer(Int64(index)), "orchestrator": .string(orchestrator), "attempt": 1, "reason": "timeout",
                      "final": false, "detail": .string(detail)])
    }
}
