public import EventModel
import EthCrypto
import JSONCore

/// Evidence for disputes: every failed verification with the log position of its evidence, and
/// every suspension, per orchestrator.
public struct DisputesProjection: Projection {
    public struct Fault: Codable, Sendable, Equatable {
        public var eventSequence: UInt64
        public var eventHash: String
        public var stream: String
        public var segment: Int64
        public var check: String
    }

    public struct Orchestrator: Codable, Sendable, Equatable {
        public var faults: [Fault] = []
        public var suspensions: [String: Int] = [:]
    }

    public init() {}
    public var name: String { "disputes" }
    public var initialState: [String: Orchestrator] { [:] }

    public func apply(_ state: inout [String: Orchestrator], _ event: EventRecord) {
        let envelope = event.envelope
        let payload = envelope.payload
        switch envelope.type {
        case "verification.failed":
            guard let orchestrator = payload.text("orchestrator")?.lowercased() else { return }
            state[orchestrator, default: Orchestrator()].faults.append(Fault(
                eventSequence: event.sequence, eventHash: event.hash.hex, stream: envelope.keys.stream ?? "",
                segment: payload.int("seq") ?? -1, check: payload.text("check") ?? ""))
        case "orchestrator.suspended":
            guard let orchestrator = payload.text("orchestrator")?.lowercased() else { return }
            state[orchestrator, default: Orchestrator()].suspensions[payload.text("reason") ?? "unknown", default: 0] += 1
        default: return
        }
    }
}
