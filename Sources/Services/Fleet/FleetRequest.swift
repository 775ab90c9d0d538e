public import EventModel
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

    public func event(source: FleetDataReference, timestamp: Int64) -> EventEnvelope {
        TranscodeRequested(
            request: request, seq: seq, durationMs: durationMs,
            profiles: profiles.map {
                FleetProfile(name: $0.name, width: Int64($0.width), height: Int64($0.height), bitrate: Int64($0.bitrate), fps: Int64($0.fps))
            },
            source: source)
        .envelope(id: "transcode.requested:\(request)", keys: EventKeys(stream: stream, orchestrator: orchestrator), timestamp: timestamp)
    }

    /// The request an event states (nil when it is not a well-formed transcode.requested).
    public init?(_ envelope: EventEnvelope) {
        guard let event = try? TranscodeRequested.decoded(from: envelope) else { return nil }
        self.init(event, keys: envelope.keys)
    }

    /// The request a decoded event states with its envelope's keys (nil without profiles, stream or orchestrator).
    public init?(_ event: TranscodeRequested, keys: EventKeys) {
        guard !event.profiles.isEmpty, let stream = keys.stream, let orchestrator = keys.orchestrator else { return nil }
        var profiles: [VideoProfile] = []
        for item in event.profiles {
            guard let profile = try? VideoProfile(name: item.name, width: Int(item.width), height: Int(item.height),
                                                  bitrate: Int(item.bitrate), fps: Int(item.fps))
            else { return nil }
            profiles.append(profile)
        }
        self.init(request: event.request, stream: stream, orchestrator: orchestrator, seq: event.seq, durationMs: event.durationMs,
                  profiles: profiles)
    }

    /// The id of the request's result (completed or failed): one per request, so the first result is the one the
    /// log keeps, however often the work is redelivered.
    public var resultID: String { "transcode.result:\(request)" }
}
