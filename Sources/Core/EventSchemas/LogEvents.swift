import EventModel
import JSONCore

/// The log's own events: signed checkpoints, the trust anchors of its hash chain.
enum LogEvents {
    static let all: [EventDefinition] = [
        EventDefinition(
            type: "log.checkpoint", version: 1, topic: .settlement, requiredKeys: [.orchestrator],
            summary: "The node signed the log's head: sig is personal_sign over keccak256(\"streamflow.log.checkpoint.v1\" "
                + "‖ u64 BE sequence ‖ headHash) by signer (the orchestrator key), covering every event up to sequence.",
            payload: Schema.object(
                ["sequence": Schema.count, "headHash": Schema.hash32, "signer": Schema.address, "sig": Schema.hexBytes],
                required: ["sequence", "headHash", "signer", "sig"])),
    ]
}
