public import EthCrypto
public import JSONCore

/// One event as its producer states it, before the log gives it a sequence number and a hash.
/// `id` is the producer's idempotency key: appending the same id twice writes it once.
public struct EventEnvelope: Sendable, Hashable {
    public var id: String
    public var type: String
    public var version: Int
    public var topic: Topic
    public var keys: EventKeys
    /// Milliseconds since the Unix epoch, from an injected `EventClock`.
    public var timestamp: Int64
    /// The event's data; validated against `Schemas/<type>.v<version>.schema.json`.
    public var payload: JSONValue

    public init(id: String, type: String, version: Int, topic: Topic, keys: EventKeys = .init(),
                timestamp: Int64, payload: JSONValue) {
        self.id = id
        self.type = type
        self.version = version
        self.topic = topic
        self.keys = keys
        self.timestamp = timestamp
        self.payload = payload
    }

    /// Longest id or key accepted, in UTF-8 bytes.
    public static let maxIdentifierBytes = 256
}

/// An event as stored: its envelope, its place in the log and its link in the hash chain.
public struct EventRecord: Sendable, Hashable {
    /// 1 for the first event; 0 is "before the first".
    public let sequence: UInt64
    public let envelope: EventEnvelope
    public let previousHash: Hash32
    public let hash: Hash32

    public init(sequence: UInt64, envelope: EventEnvelope, previousHash: Hash32, hash: Hash32) {
        self.sequence = sequence
        self.envelope = envelope
        self.previousHash = previousHash
        self.hash = hash
    }
}
