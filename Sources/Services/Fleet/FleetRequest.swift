public import EventModel
public import JSONCore
public import Transcoding

/// The fields of a `transcode.requested` event, and building and reading it.
public struct FleetRequest: Sendable, Hashable {
    public let request: String
    public let stream: String
    public let orchestrator: String
    public let seq: Int64
    public let durationMs: Int64
    public let profiles: [VideoProfile]

    public init(request: String, stream: String, orchestrator: String, seq: Int64, durationMs: Int64, profiles: [VideoProfile]) {
        self.request = request
        self.stream = stream
        self.orchestrator = orchestrator
        self.seq = seq
        self.durationMs = durationMs
        self.profiles = profiles
    }

    /// The header carrying the source segment's bytes when inline.
    public static let sourceHeader = "streamflow-data"
    /// The header carrying one rendition's bytes when inline.
    public static func renditionHeader(_ profile: String) -> String { "streamflow-data-\(profile)" }

    public func event(source: JSONValue, timestamp: Int64) -> EventEnvelope {
        EventEnvelope(
            id: "transcode.requested:\(request)", type: "transcode.requested", version: 1, topic: .segments,
            keys: EventKeys(stream: stream, orchestrator: orchestrator), timestamp: timestamp,
            payload: [
                "request": .string(request), "seq": .integer(seq), "durationMs": .integer(durationMs), "source": source,
                "profiles": .array(profiles.map { profile in
                    ["name": .string(profile.name), "width": .integer(Int64(profile.width)), "height": .integer(Int64(profile.height)),
                     "bitrate": .integer(Int64(profile.bitrate)), "fps": .integer(Int64(profile.fps))]
                }),
            ])
    }

    /// The request an event states (nil when it is not a well-formed transcode.requested).
    public init?(_ envelope: EventEnvelope) {
        let payload = envelope.payload
        guard envelope.type == "transcode.requested", let stream = envelope.keys.stream,
              let orchestrator = envelope.keys.orchestrator, let request = payload["request"]?.stringValue,
              let seq = payload["seq"]?.integerValue, let durationMs = payload["durationMs"]?.integerValue,
              let items = payload["profiles"]?.arrayValue, !items.isEmpty else { return nil }
        var profiles: [VideoProfile] = []
        for item in items {
            guard let name = item["name"]?.stringValue, let width = item["width"]?.integerValue,
                  let height = item["height"]?.integerValue, let bitrate = item["bitrate"]?.integerValue,
                  let fps = item["fps"]?.integerValue,
                  let profile = try? VideoProfile(name: name, width: Int(width), height: Int(height), bitrate: Int(bitrate), fps: Int(fps))
            else { return nil }
            profiles.append(profile)
        }
        self.init(request: request, stream: stream, orchestrator: orchestrator, seq: seq, durationMs: durationMs, profiles: profiles)
    }

    /// The id of the request's result (completed or failed): one per request, so the first result is the one the
    /// log keeps, however often the work is redelivered.
    public var resultID: String { "transcode.result:\(request)" }
}
