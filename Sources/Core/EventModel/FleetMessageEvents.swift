public import JSONCore

// Distributed mode's events: segments put on the bus for the transcoder fleet (topic `segments`), the fleet's results
// (topic `transcode-results`), keyed by stream and orchestrator.

/// Where a fleet message's bytes travel: in its `streamflow-data[-PROFILE]` header when inline, else in the shared store.
public struct FleetDataReference: Sendable, Equatable {
    public var bytes: Int64
    /// 32 bytes, 0x-hex.
    public var dataHash: String
    public var inline: Bool
    public var storeName: String?

    public init(bytes: Int64, dataHash: String, inline: Bool, storeName: String? = nil) {
        (self.bytes, self.dataHash, self.inline, self.storeName) = (bytes, dataHash, inline, storeName)
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = ["bytes": .integer(bytes), "dataHash": .string(dataHash), "inline": .bool(inline)]
        if let storeName { fields["storeName"] = .string(storeName) }
        return .object(fields)
    }

    public init(reader: PayloadReader) throws(TypedEventError) {
        bytes = try reader.int("bytes")
        dataHash = try reader.string("dataHash")
        inline = try reader.bool("inline")
        storeName = try reader.optional("storeName", reader.string)
    }
}

/// A rendition a fleet request asks for.
public struct FleetProfile: Sendable, Equatable {
    public var name: String
    public var width: Int64
    public var height: Int64
    public var bitrate: Int64
    public var fps: Int64

    public init(name: String, width: Int64, height: Int64, bitrate: Int64, fps: Int64) {
        (self.name, self.width, self.height, self.bitrate, self.fps) = (name, width, height, bitrate, fps)
    }

    var json: JSONValue {
        ["name": .string(name), "width": .integer(width), "height": .integer(height), "bitrate": .integer(bitrate), "fps": .integer(fps)]
    }

    init(reader: PayloadReader) throws(TypedEventError) {
        name = try reader.string("name")
        width = try reader.int("width")
        height = try reader.int("height")
        bitrate = try reader.int("bitrate")
        fps = try reader.int("fps")
    }
}

/// `transcode.requested` v1: an orchestrator put a segment on the segments topic for its transcoder fleet.
public struct TranscodeRequested: TypedEvent {
    public static let type = "transcode.requested"
    public static let version = 1
    public static let topic = Topic.segments
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var request: String
    public var seq: Int64
    public var durationMs: Int64
    public var profiles: [FleetProfile]
    public var source: FleetDataReference

    public init(request: String, seq: Int64, durationMs: Int64, profiles: [FleetProfile], source: FleetDataReference) {
        (self.request, self.seq, self.durationMs, self.profiles, self.source) = (request, seq, durationMs, profiles, source)
    }

    public var payload: JSONValue {
        ["request": .string(request), "seq": .integer(seq), "durationMs": .integer(durationMs), "source": source.json,
         "profiles": .array(profiles.map(\.json))]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        request = try payload.string("request")
        seq = try payload.int("seq")
        durationMs = try payload.int("durationMs")
        var profiles: [FleetProfile] = []
        for item in try payload.objects("profiles") { profiles.append(try FleetProfile(reader: item)) }
        self.profiles = profiles
        source = try FleetDataReference(reader: payload.object("source"))
    }
}

/// One rendition a fleet worker returned: its profile, pixels and where its bytes are.
public struct FleetRendition: Sendable, Equatable {
    public var profile: String
    public var pixels: Int64
    public var data: FleetDataReference

    public init(profile: String, pixels: Int64, data: FleetDataReference) { (self.profile, self.pixels, self.data) = (profile, pixels, data) }

    var json: JSONValue { ["profile": .string(profile), "pixels": .integer(pixels), "data": data.json] }

    init(reader: PayloadReader) throws(TypedEventError) {
        profile = try reader.string("profile")
        pixels = try reader.int("pixels")
        data = try FleetDataReference(reader: reader.object("data"))
    }
}

/// `transcode.completed` v1: a fleet worker transcoded a requested segment (one per request in the log).
public struct TranscodeCompleted: TypedEvent {
    public static let type = "transcode.completed"
    public static let version = 1
    public static let topic = Topic.transcodeResults
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var request: String
    public var seq: Int64
    public var worker: String
    public var elapsedMs: Int64
    public var renditions: [FleetRendition]

    public init(request: String, seq: Int64, worker: String, elapsedMs: Int64, renditions: [FleetRendition]) {
        (self.request, self.seq, self.worker, self.elapsedMs, self.renditions) = (request, seq, worker, elapsedMs, renditions)
    }

    public var payload: JSONValue {
        ["request": .string(request), "seq": .integer(seq), "worker": .string(worker), "elapsedMs": .integer(elapsedMs),
         "renditions": .array(renditions.map(\.json))]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        request = try payload.string("request")
        seq = try payload.int("seq")
        worker = try payload.string("worker")
        elapsedMs = try payload.int("elapsedMs")
        var renditions: [FleetRendition] = []
        for item in try payload.objects("renditions") { renditions.append(try FleetRendition(reader: item)) }
        self.renditions = renditions
    }
}

/// `transcode.failed` v1: a fleet worker could not transcode a requested segment.
public struct TranscodeFailed: TypedEvent {
    public static let type = "transcode.failed"
    public static let version = 1
    public static let topic = Topic.transcodeResults
    public static let requiredKeys: [EventKeys.Kind] = [.stream, .orchestrator]

    public var request: String
    public var seq: Int64
    public var worker: String
    /// transcode, missing-data or data-mismatch.
    public var reason: String
    public var detail: String

    public init(request: String, seq: Int64, worker: String, reason: String, detail: String) {
        (self.request, self.seq, self.worker, self.reason) = (request, seq, worker, reason)
        self.detail = String(detail.prefix(1_000))
    }

    public var payload: JSONValue {
        ["request": .string(request), "seq": .integer(seq), "worker": .string(worker), "reason": .string(reason), "detail": .string(detail)]
    }

    public init(payload: PayloadReader) throws(TypedEventError) {
        request = try payload.string("request")
        seq = try payload.int("seq")
        worker = try payload.string("worker")
        reason = try payload.string("reason")
        detail = try payload.string("detail")
    }
}
