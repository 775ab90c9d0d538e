import EventModel
import JSONCore

/// Benchmark events: segment.failed events whose canonical payload is exactly 200 bytes.
enum BenchEvents {
    static let payloadBytes = 200
    private static let orchestrator = "0x3badDb1eeE2105893136A3F96c8a963E9C6309d6"

    /// Padding that brings the payload to 200 bytes (computed once; depends on the seq's digit count).
    private static func detail(for index: Int) -> String {
        let base = (try? CanonicalJSON.encode(failure(index, detail: "").payload).count) ?? payloadBytes
        return String(repeating: "x", count: max(0, payloadBytes - base))
    }

    /// `count` events built ahead of any timing (making test data is not the log's cost).
    static func events(from start: Int, count: Int) -> [EventEnvelope] {
        var paddings: [Int: String] = [:]
        return (start..<start + count).map { index in
            let digits = String(index).count
            if paddings[digits] == nil { paddings[digits] = detail(for: index) }
            return event(index, detail: paddings[digits]!)
        }
    }

    static func event(_ index: Int, detail: String? = nil) -> EventEnvelope {
        failure(index, detail: detail ?? Self.detail(for: index))
            .envelope(id: "bench-\(index)", keys: EventKeys(stream: "bench-stream-\(index % 64)"), timestamp: 1_700_000_000_000 + Int64(index))
    }

    private static func failure(_ index: Int, detail: String) -> SegmentFailed {
        SegmentFailed(seq: Int64(index), orchestrator: orchestrator, attempt: 1, reason: "timeout", detail: detail, final: false)
    }
}
