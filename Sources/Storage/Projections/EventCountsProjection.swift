public import EventModel
import EthCrypto
import JSONCore

/// Events per type and per topic: the audit's first sanity check.
public struct EventCountsProjection: Projection {
    public struct State: Codable, Sendable, Equatable {
        public var total: Int = 0
        public var byType: [String: Int] = [:]
        public var byTopic: [String: Int] = [:]
        public var firstTimestamp: Int64?
        public var lastTimestamp: Int64?
    }

    public init() {}
    public var name: String { "counts" }
    public var initialState: State { State() }

    public func apply(_ state: inout State, _ event: EventRecord) {
        let envelope = event.envelope
        state.total += 1
        state.byType[envelope.type, default: 0] += 1
        state.byTopic[envelope.topic.rawValue, default: 0] += 1
        state.firstTimestamp = state.firstTimestamp ?? envelope.timestamp
        state.lastTimestamp = envelope.timestamp
    }
}
