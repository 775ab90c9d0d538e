public import EventModel
import EthCrypto

/// Per stream: segments ingested, delivered and lost, attempts and failures, and who delivered them.
public struct StreamsProjection: Projection {
    public struct Stream: Codable, Sendable, Equatable {
        public var ingested = 0
        public var dispatched = 0
        public var transcoded = 0
        public var delivered = 0
        public var failedAttempts = 0
        public var lost = 0
        public var verificationFailures = 0
        /// Delivered segments per orchestrator address.
        public var deliveredBy: [String: Int] = [:]
        /// Session id → orchestrator address.
        public var sessions: [String: String] = [:]
        public var highestSegment: Int64 = -1
    }

    public init() {}
    public var name: String { "streams" }
    public var initialState: [String: Stream] { [:] }

    public func apply(_ state: inout [String: Stream], _ event: EventRecord) {
        let envelope = event.envelope
        guard let streamID = envelope.keys.stream else { return }
        var stream = state[streamID] ?? Stream()
        // The log validated each payload against its schema, so a typed decode that fails means a version this code does
        // not know: the event still counts, its details do not.
        switch envelope.type {
        case SegmentIngested.type:
            stream.ingested += 1
            stream.highestSegment = max(stream.highestSegment, (try? SegmentIngested(envelope: envelope))?.seq ?? -1)
        case SegmentDispatched.type: stream.dispatched += 1
        case SegmentTranscoded.type: stream.transcoded += 1
        case SegmentDelivered.type:
            stream.delivered += 1
            if let delivered = try? SegmentDelivered(envelope: envelope) { stream.deliveredBy[delivered.orchestrator.lowercased(), default: 0] += 1 }
        case SegmentFailed.type:
            stream.failedAttempts += 1
            if (try? SegmentFailed(envelope: envelope))?.final == true { stream.lost += 1 }
        case VerificationFailed.type: stream.verificationFailures += 1
        case SessionOpened.type:
            if let session = envelope.keys.session, let opened = try? SessionOpened(envelope: envelope) {
                stream.sessions[session] = opened.orchestrator.lowercased()
            }
        default: return
        }
        state[streamID] = stream
    }
}
