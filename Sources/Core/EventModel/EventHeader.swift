/// An event's envelope without its payload (one event, as its producer states it): the fields the log's
/// content header encodes and the envelope rules check. `id` is the producer's idempotency key: appending
/// the same id twice writes it once. A payload that arrives as canonical JSON travels beside it as bytes.
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
