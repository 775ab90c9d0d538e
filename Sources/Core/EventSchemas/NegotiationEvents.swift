import EventModel
import JSONCore

/// Off-chain negotiation between a broadcaster and orchestrators.
enum NegotiationEvents {
    static let priceFields: [String: JSONValue] = ["pricePerUnit": Schema.count, "pixelsPerUnit": ["type": "integer", "minimum": 1]]

    static let all: [EventDefinition] = [
        EventDefinition(
            type: "offer.requested", version: 1, topic: .negotiation, requiredKeys: [.stream],
            summary: "A broadcaster asked an orchestrator for its offer (GetOrchestrator).",
            payload: Schema.object(["orchestratorURI": Schema.url, "broadcaster": Schema.address],
                                   required: ["orchestratorURI", "broadcaster"])),
        EventDefinition(
            type: "offer.received", version: 1, topic: .negotiation, requiredKeys: [.stream, .orchestrator],
            summary: "An orchestrator's offer: price, ticket parameters and capacity.",
            payload: Schema.object(
                priceFields.merging([
                    "orchestratorURI": Schema.url, "orchestrator": Schema.address, "faceValue": Schema.uint256,
                    "winProb": Schema.uint256, "recipientRandHash": Schema.hash32, "seed": Schema.hexBytes,
                    "expirationBlock": Schema.count, "capacity": Schema.count, "latencyMs": Schema.milliseconds,
                ]) { a, _ in a },
                required: ["orchestratorURI", "orchestrator", "pricePerUnit", "pixelsPerUnit", "latencyMs"])),
        EventDefinition(
            type: "session.opened", version: 1, topic: .negotiation, requiredKeys: [.stream, .session, .orchestrator],
            summary: "A broadcaster started sending a stream's segments to an orchestrator.",
            payload: Schema.object(
                priceFields.merging([
                    "orchestrator": Schema.address, "orchestratorURI": Schema.url,
                    "profiles": Schema.array(Schema.profileName, minItems: 1),
                ]) { a, _ in a },
                required: ["orchestrator", "orchestratorURI", "pricePerUnit", "pixelsPerUnit", "profiles"])),
        EventDefinition(
            type: "session.closed", version: 1, topic: .negotiation, requiredKeys: [.stream, .session],
            summary: "A session ended.",
            payload: Schema.object(
                ["reason": Schema.oneOfStrings(["stream-ended", "orchestrator-suspended", "replaced", "error"]),
                 "segments": Schema.count],
                required: ["reason"])),
        EventDefinition(
            type: "orchestrator.suspended", version: 1, topic: .negotiation, requiredKeys: [.orchestrator],
            summary: "A broadcaster stopped using an orchestrator after a fault, for a number of segments.",
            payload: Schema.object(
                ["orchestrator": Schema.address,
                 "reason": Schema.oneOfStrings(["verification-failed", "timeout", "error-reply", "unreachable", "capped"]),
                 "penaltySegments": Schema.count, "detail": Schema.string()],
                required: ["orchestrator", "reason", "penaltySegments"])),
    ]
}
