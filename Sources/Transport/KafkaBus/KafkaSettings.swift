internal import CRdKafka

/// How to reach the cluster and tune a client: librdkafka properties by their documented names.
/// The defaults are the ones this project relies on (see docs/OPERATIONS.md, "Distributed mode").
public struct KafkaSettings: Sendable {
    /// Comma-separated host:port list (librdkafka's bootstrap.servers).
    public var brokers: String
    public var clientID: String
    /// Extra librdkafka properties; they win over the defaults.
    public var properties: [String: String]

    public init(brokers: String, clientID: String = "streamflow", properties: [String: String] = [:]) {
        self.brokers = brokers
        self.clientID = clientID
        self.properties = properties
    }

    /// The producer's defaults: idempotent, acks from all in-sync replicas, small batches.
    static let producerDefaults: [String: String] = [
        "enable.idempotence": "true", "acks": "all", "linger.ms": "2", "batch.num.messages": "10000",
        "queue.buffering.max.messages": "200000", "message.max.bytes": "1048576",
    ]

    /// The consumer's defaults: commits only by hand (after the log has the event), from the oldest offset,
    /// and group timeouts short enough that a dead member's partitions move within seconds.
    static let consumerDefaults: [String: String] = [
        "enable.auto.commit": "false", "enable.auto.offset.store": "false", "auto.offset.reset": "earliest",
        "session.timeout.ms": "6000", "heartbeat.interval.ms": "500", "enable.partition.eof": "false",
        "fetch.wait.max.ms": "50", "fetch.message.max.bytes": "1048576",
    ]

    /// A librdkafka configuration with `defaults`, then `properties` (the caller owns the result until rd_kafka_new).
    func makeConfiguration(defaults: [String: String]) throws(KafkaError) -> OpaquePointer {
        let configuration = rd_kafka_conf_new()!
        var all = defaults
        all["bootstrap.servers"] = brokers
        all["client.id"] = clientID
        for (name, value) in properties { all[name] = value }
        var reason = [CChar](repeating: 0, count: 512)
        for (name, value) in all.sorted(by: { $0.key < $1.key })
        where rd_kafka_conf_set(configuration, name, value, &reason, reason.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(configuration)
            throw .configuration(name: name, reason: errorText(reason))
        }
        return configuration
    }

    /// librdkafka's version as text, e.g. "2.16.1" (the one loaded at run time, which may not be Debian's).
    public static var libraryVersion: String { String(cString: rd_kafka_version_str()) }

    /// Whether the loaded librdkafka is new enough for brokers that speak ApiVersions v3 (Tansu; 2.0.2 is not).
    public static var libraryHandlesFlexibleVersions: Bool { rd_kafka_version() >= 0x0201_00FF }
}
