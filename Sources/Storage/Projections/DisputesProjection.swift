public import EventModel
import EthCrypto

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
        if let failed = try? VerificationFailed.decoded(from: envelope) {
            state[failed.orchestrator.lowercased(), default: Orchestrator()].faults.append(Fault(
                eventSequence: event.sequence, eventHash: event.hash.hex, stream: envelope.keys.stream ?? "", segment: failed.seq,
                check: failed.check))
        } else if let suspended = try? OrchestratorSuspended.decoded(from: envelope) {
            state[suspended.orchestrator.lowercased(), default: Orchestrator()].suspensions[suspended.reason, default: 0] += 1
        }
    }
}
