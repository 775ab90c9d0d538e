public import EthCrypto
public import JSONCore

/// One event as its producer states it, before the log gives it a sequence number and a hash.
/// `id` is the producer's idempotency key: appending the same id twice writes it once.
public struct EventEnvelope: Sendable, Hashable {
    /// Everything but the payload (id, type, version, topic, keys, timestamp), also readable one by one below.
    public var header: EventHeader
    /// The event's data; validated against `Schemas/<type>.v<version>.schema.json`.
    public var payload: JSONValue

    public init(id: String, type: String, version: Int, topic: Topic, keys: EventKeys = .init(),
                timestamp: Int64, payload: JSONValue) {
        header = EventHeader(id: id, type: type, version: version, topic: topic, keys: keys, timestamp: timestamp)
        self.payload = payload
    }

    public init(header: EventHeader, payload: JSONValue) {
        self.header = header
        self.payload = payload
    }

    public var id: String {
        get { header.id }
        set { header.id = newValue }
    }
    public var type: String {
        get { header.type }
        set { header.type = newValue }
    }
    public var version: Int {
        get { header.version }
        set { header.version = newValue }
    }
    public var topic: Topic {
        get { header.topic }
        set { header.topic = newValue }
    }
    public var keys: EventKeys {
        get { header.keys }
        set { header.keys = newValue }
    }
    /// Milliseconds since the Unix epoch, from an injected `EventClock`.
    public var timestamp: Int64 {
        get { header.timestamp }
        set { header.timestamp = newValue }
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
