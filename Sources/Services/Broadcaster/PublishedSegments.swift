public import EventModel
import JSONCore

/// A stream's delivered segments as its events tell them (seq, declared duration, who delivered it, how
/// fast): what a restarted broadcaster resumes the stream's playlist and duplicate answers from. A fold over
/// the stream's `segment.ingested` and `segment.delivered` events, in log order; pure.
public struct PublishedSegments: Sendable, Equatable {
    /// One delivered segment.
    public struct Segment: Sendable, Equatable {
        public let seq: Int64
        public let durationMs: Int64
        public let by: String
        public let latencyMs: Int64

        public init(seq: Int64, durationMs: Int64, by: String, latencyMs: Int64) {
            self.seq = seq
            self.durationMs = durationMs
            self.by = by
            self.latencyMs = latencyMs
        }
    }

    private var declaredDurations: [Int64: Int64] = [:]
    private var delivered: [Int64: Segment] = [:]

    public init() {}

    /// Takes one of the stream's events into account (others are ignored).
    public mutating func apply(_ envelope: EventEnvelope) {
        if let ingested = try? SegmentIngested.decoded(from: envelope) {
            declaredDurations[ingested.seq] = ingested.durationMs
        } else if let event = try? SegmentDelivered.decoded(from: envelope) {
            guard delivered[event.seq] == nil, let duration = declaredDurations[event.seq] else { return }
            delivered[event.seq] = Segment(seq: event.seq, durationMs: duration, by: event.orchestrator, latencyMs: event.latencyMs)
        }
    }

    /// The delivered segments, lowest seq first.
    public var inOrder: [Segment] { delivered.values.sorted { $0.seq < $1.seq } }
}
