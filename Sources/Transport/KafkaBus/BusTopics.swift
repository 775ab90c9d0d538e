public import EventModel

/// The topic contract: one Kafka topic per event family, named `<prefix><family>` (e.g. `streamflow.segments`),
/// keyed by the event's partition key (stream, else session, orchestrator, sender) so order holds per key.
public struct BusTopics: Sendable, Hashable {
    public var prefix: String {
        didSet { names = Self.names(prefix) }
    }
    public var partitions: Int
    public var replication: Int
    /// Every family's topic name, made once (a message names its topic; building it each time allocated).
    private var names: [Topic: String]

    public init(prefix: String = "streamflow.", partitions: Int = 6, replication: Int = 1) {
        self.prefix = prefix
        self.partitions = partitions
        self.replication = replication
        names = Self.names(prefix)
    }

    private static func names(_ prefix: String) -> [Topic: String] {
        Dictionary(uniqueKeysWithValues: Topic.allCases.map { ($0, prefix + $0.rawValue) })
    }

    /// The Kafka topic of a family.
    public func name(_ family: Topic) -> String { names[family] ?? prefix + family.rawValue }

    /// The family a Kafka topic carries, if it is one of ours.
    public func family(ofTopic name: String) -> Topic? {
        guard name.hasPrefix(prefix) else { return nil }
        return Topic(rawValue: String(name.dropFirst(prefix.count)))
    }

    /// Every family's topic, dead letters included.
    public var all: [String] { Topic.allCases.map(name) }

    /// Creates every absent topic (blocking; at start-up).
    public func ensure(settings: KafkaSettings) throws(KafkaError) {
        try KafkaAdmin.ensureTopics(all, partitions: partitions, replication: replication, settings: settings)
    }
}
