public import EventModel
public import Scheduling

/// The transcoder pools of the orchestrators writing to this log, per orchestrator address: the state the
/// scheduler decided from, rebuilt from `transcoder.*` and `task.*` events.
public struct SchedulingProjection: Projection {
    public init() {}
    public var name: String { "scheduling" }
    public var initialState: [String: SchedulerState] { [:] }

    public func apply(_ state: inout [String: SchedulerState], _ event: EventRecord) {
        guard event.envelope.topic == .transcoders, let orchestrator = event.envelope.keys.orchestrator else { return }
        state[orchestrator, default: SchedulerState()].apply(event.envelope)
    }
}
