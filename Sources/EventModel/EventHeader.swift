public import JSONCore

/// An event's envelope without its payload: the fields the log's content header encodes and the
/// envelope rules check. A payload that arrives as canonical JSON travels beside it as bytes.
public struct EventHeader: Sendable, Hashable {
    public var id: String
    public var type: String
    public var version: Int
    public var topic: Topic
    public var keys: EventKeys
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64

    public init(id: String, type: String, version: Int, topic: Topic, keys: EventKeys = .init(), timestamp: Int64) {
        self.id = id
        self.type = type
        self.version = version
        self.topic = topic
        self.keys = keys
        self.timestamp = timestamp
    }
}

extension EventEnvelope {
    /// Everything but the payload.
    public var header: EventHeader {
        EventHeader(id: id, type: type, version: version, topic: topic, keys: keys, timestamp: timestamp)
    }

    public init(header: EventHeader, payload: JSONValue) {
        self.init(id: header.id, type: header.type, version: header.version, topic: header.topic, keys: header.keys,
                  timestamp: header.timestamp, payload: payload)
    }
}
