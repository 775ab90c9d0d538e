/// One message read from a topic: where it was (topic, partition, offset), its key, value and headers.
public struct KafkaMessage: Sendable, Hashable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]
    public let headers: [KafkaHeader]

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// The first header with this name.
    public func header(_ name: String) -> [UInt8]? { headers.first { $0.name == name }?.value }
}

/// One message header (Kafka allows repeats and binary values).
public struct KafkaHeader: Sendable, Hashable {
    public let name: String
    public let value: [UInt8]

    public init(_ name: String, _ value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// A message to produce: topic, partitioning key (order holds per key), value and headers.
public struct OutgoingMessage: Sendable, Hashable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    public init(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// Where a produced message landed, from the broker's delivery report.
public struct DeliveredOffset: Sendable, Hashable {
    public let partition: Int32
    public let offset: Int64
}
