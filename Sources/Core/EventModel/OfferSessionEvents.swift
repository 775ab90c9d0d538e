public import EthCrypto
public import JSONCore

// The negotiation family: offers asked and received, sessions opened and closed, orchestrators suspended (topic
// `negotiation`). Orchestrators and broadcasters are named by their address as written.

/// `offer.requested` v1: a broadcaster asked an orchestrator for its offer (GetOrchestrator).
public struct OfferRequested: TypedEvent {
    public static let type = "offer.requested"
    public static let version = 1
    public static let topic = Topic.negotiation
    public static let requiredKeys: [EventKeys.Kind] = [.stream]

    public var orchestratorURI: String
    public var broadcaster: String

    public init(orchestratorURI: String, broadcaster: String) { (self.orchestratorURI, self.broadcaster) = (orchestratorURI, broadcaster) }

    public var payload: JSONValue { ["orchestratorURI": .string(orchestratorURI), "broadcaster": .string(broadcaster)] }

    public init(payload: PayloadReader) throws(TypedEventError) {
        orchestratorURI = try payload.string("orchestratorURI")
        broadcaster = try payload.string("broadcaster")
    }
}

/// `offer.received` v1: an orchestrator's offer: price, ticket parameters when it sent them, capacity and the round trip.
public struct OfferReceived: TypedEvent {
    public static let type = "offer.received"
    public static let version = 1
    public static let topic = Topic.negotiation
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var orchestratorURI: String
    public var orchestrator: String
    public var pricePerUnit: Int64
    public var pixelsPerUnit: Int64
    public var latencyMs: Int64
    public var faceValue: UInt256?
    public var winProb: UInt256?
    public var recipientRandHash: Hash32?
    /// 0x-hex.
    public var seed: String?
    public var expirationBlock: Int64?
    public var capacity: Int64?

    public init(orchestratorURI: String, orchestrator: String, pricePerUnit: Int64, pixelsPerUnit: Int64, latencyMs: Int64,
                faceValue: UInt256? = nil, winProb: UInt256? = nil, recipientRandHash: Hash32? = nil, seed: String? = nil,
                expirationBlock: Int64? = nil, capacity: Int64? = nil) {
        (self.orchestratorURI, self.orchestrator, self.pricePerUnit, self.pixelsPerUnit, self.latencyMs) =
            (orchestratorURI, orchestrator, pricePerUnit, pixelsPerUnit, latencyMs)
        (self.faceValue, self.winProb, self.recipientRandHash, self.seed, self.expirationBlock, self.capacity) =
            (faceValue, winProb, recipientRandHash, seed, expirationBlock, capacity)
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = [
            "orchestratorURI": .string(orchestratorURI), "orchestrator": .string(orchestrator), "pricePerUnit": .integer(pricePerUnit),
            "pixelsPerUnit": .integer(pixelsPerUnit), "latencyMs": .integer(latencyMs),
        ]
        if let faceValue { fields["faceValue"] = .string(faceValue.description) }
        if let winProb { fields["winProb"] = .string(winProb.description) }
        if let recipientRandHash { fields["recipientRandHash"] = .string(recipientRandHash.hex) }
        if let seed { fields["seed"] = .string(seed) }
        if let expirationBlock { fields["expirationBlock"] = .integer(expirationBlock) }
        if let capacity { fields["capacity"] = .integer(capacity) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        orchestratorURI = try payload.string("orchestratorURI")
        orchestrator = try payload.string("orchestrator")
        pricePerUnit = try payload.int("pricePerUnit")
        pixelsPerUnit = try payload.int("pixelsPerUnit")
        latencyMs = try payload.int("latencyMs")
        faceValue = try payload.optional("faceValue", payload.uint256)
        winProb = try payload.optional("winProb", payload.uint256)
        recipientRandHash = try payload.optional("recipientRandHash", payload.hash)
        seed = try payload.optional("seed", payload.string)
        expirationBlock = try payload.optional("expirationBlock", payload.int)
        capacity = try payload.optional("capacity", payload.int)
    }
}

/// `session.opened` v1: a broadcaster started sending a stream's segments to an orchestrator at a price.
public struct SessionOpened: TypedEvent {
    public static let type = "session.opened"
    public static let version = 1
    public static let topic = Topic.negotiation
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .session, .orchestrator]

    public var orchestrator: String
    public var orchestratorURI: String
    public var pricePerUnit: Int64
    public var pixelsPerUnit: Int64
    public var profiles: [String]

    public init(orchestrator: String, orchestratorURI: String, pricePerUnit: Int64, pixelsPerUnit: Int64, profiles: [String]) {
        (self.orchestrator, self.orchestratorURI, self.pricePerUnit, self.pixelsPerUnit, self.profiles) =
            (orchestrator, orchestratorURI, pricePerUnit, pixelsPerUnit, profiles)
    }

    public var payload: JSONValue {
        ["orchestrator": .string(orchestrator), "orchestratorURI": .string(orchestratorURI), "pricePerUnit": .integer(pricePerUnit),
         "pixelsPerUnit": .integer(pixelsPerUnit), "profiles": .array(profiles.map { .string($0) })]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        orchestrator = try payload.string("orchestrator")
        orchestratorURI = try payload.string("orchestratorURI")
        pricePerUnit = try payload.int("pricePerUnit")
        pixelsPerUnit = try payload.int("pixelsPerUnit")
        profiles = try payload.strings("profiles")
    }
}

/// `session.closed` v1: a session ended, with why and how many segments it carried when known.
public struct SessionClosed: TypedEvent {
    public static let type = "session.closed"
    public static let version = 1
    public static let topic = Topic.negotiation
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .session]

    /// stream-ended, orchestrator-suspended, replaced or error.
    public var reason: String
    public var segments: Int64?

    public init(reason: String, segments: Int64? = nil) { (self.reason, self.segments) = (reason, segments) }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["reason": .string(reason)]
        if let segments { fields["segments"] = .integer(segments) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        reason = try payload.string("reason")
        segments = try payload.optional("segments", payload.int)
    }
}

/// `orchestrator.suspended` v1: a broadcaster stopped using an orchestrator after a fault, for a number of segments.
public struct OrchestratorSuspended: TypedEvent {
    public static let type = "orchestrator.suspended"
    public static let version = 1
    public static let topic = Topic.negotiation
    public static let requiredKeys: [EventKeys.Kind] = [.orchestrator]

    public var orchestrator: String
    /// verification-failed, timeout, error-reply, unreachable or capped.
    public var reason: String
    public var penaltySegments: Int64
    public var detail: String?

    public init(orchestrator: String, reason: String, penaltySegments: Int64, detail: String? = nil) {
        (self.orchestrator, self.reason, self.penaltySegments) = (orchestrator, reason, penaltySegments)
        self.detail = detail.map { String($0.prefix(1_000)) }
    }

    public var payload: JSONValue {
        var fields: [String: JSONValue] = ["orchestrator": .string(orchestrator), "reason": .string(reason),
                                           "penaltySegments": .integer(penaltySegments)]
        if let detail { fields["detail"] = .string(detail) }
        return .object(fields)
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        orchestrator = try payload.string("orchestrator")
        reason = try payload.string("reason")
        penaltySegments = try payload.int("penaltySegments")
        detail = try payload.optional("detail", payload.string)
    }
}
