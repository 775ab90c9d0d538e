import ArgumentParser
import Fleet
import KafkaBus

/// The options every distributed-mode command shares: the brokers, the topic contract and how data travels.
struct KafkaOptions: ParsableArguments {
    @Option(name: .customLong("kafka"), help: "Kafka bootstrap brokers (host:port,…); turns on distributed mode.")
    var brokers: String?
    @Option(help: "Prefix of the topics (one per event family: <prefix>segments, <prefix>tickets, …).") var topicPrefix = "streamflow."
    @Option(help: "Partitions of each topic when it is created at start.") var partitions = 6
    @Option(help: "Replicas of each topic when it is created at start (3 on a 3-broker cluster).") var replication = 1
    @Option(help: "Largest segment or rendition sent inside a message; larger data goes to --store.") var inlineLimit = 900_000
    @Option(help: "Shared store directory for data over --inline-limit (the same mount on every node and worker).")
    var store: String?
    @Option(help: "Extra librdkafka properties, name=value, comma-separated (e.g. security.protocol=ssl).")
    var kafkaProperty: String?

    var topics: BusTopics { BusTopics(prefix: topicPrefix, partitions: partitions, replication: replication) }
    var placement: DataPlacement { DataPlacement(inlineLimit: inlineLimit, storeDirectory: store) }

    func settings(clientID: String) throws -> KafkaSettings {
        guard let brokers else { throw ValidationError("--kafka BROKERS is required here") }
        var properties: [String: String] = [:]
        for pair in (kafkaProperty ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--kafka-property wants name=value, not \(pair)") }
            properties[parts[0]] = parts[1]
        }
        return KafkaSettings(brokers: brokers, clientID: clientID, properties: properties)
    }

    /// Settings for a client, after creating any absent topic.
    func connect(clientID: String) throws -> KafkaSettings {
        let settings = try settings(clientID: clientID)
        try topics.ensure(settings: settings)
        return settings
    }
}
