import Foundation
public import EventLog
import EventModel
internal import CRdKafka

/// Brings a distributed node's log up to what its topics held at start, before the node reads its state from the log:
/// events a previous run published (acknowledged by the broker) but its log sink had not yet consumed would otherwise
/// be missing from the recipient's ledger (a replayed ticket let through) and from the scheduler.
///
/// Every partition of every event family's topic is read from the log sink group's committed offset (assigned, not
/// as a group member, so it waits for no rebalance) until the fetch reaches the partition's end, and every valid
/// event is appended to the log. The end is the fetch's end-of-partition signal, not a ListOffsets watermark queried
/// beforehand: the test broker (Tansu) answers ListOffsets with the last batch's base offset + 1, which a
/// confluent-kafka client sees too, while its fetch responses carry the true high watermark. It commits nothing: the group's sink gets the same messages
/// again later and the log's idempotent append keeps each event once; invalid messages are left for the sink to
/// dead-letter. Blocking: call it on a thread of its own, before the node serves.
public enum TopicCatchUp {
    /// What a catch-up did.
    public struct Report: Sendable, Equatable {
        /// Partitions that had messages past the group's committed offset.
        public var partitionsBehind = 0
        /// Messages read, events appended (new to the log) and events the log already had.
        public var messages = 0
        public var appended = 0
        public var alreadyInLog = 0

        public init() {}
    }

    /// Why a catch-up failed: the node must not start on a log that may miss acknowledged events.
    public enum Failure: Error, CustomStringConvertible {
        case kafka(KafkaError)
        case timedOut(behind: [String], after: Duration)
        case log(any Error)

        public var description: String {
            switch self {
            case .kafka(let error): "catching the log up with the topics: \(error)"
            case .timedOut(let behind, let after):
                "the log did not catch up with the topics in \(after): still behind on \(behind.prefix(5).joined(separator: ", "))"
            case .log(let error): "catching the log up with the topics: the log refused an append: \(error)"
            }
        }
    }

    /// Reads every event family's topic (dead letters aside) from `group`'s committed offsets to the high watermarks
    /// of now into `log`, within `limit`.
    public static func run(log: EventLog, settings: KafkaSettings, topics: BusTopics, group: String,
                           limit: Duration = .seconds(60)) throws(Failure) -> Report {
        let deadline = ContinuousClock.now + limit
        var defaults = KafkaSettings.consumerDefaults
        defaults["group.id"] = group
        defaults["enable.partition.eof"] = "true"
        let handle: OpaquePointer
        do throws(KafkaError) {
            let configuration = try settings.makeConfiguration(defaults: defaults)
            var reason = [CChar](repeating: 0, count: 512)
            guard let made = rd_kafka_new(RD_KAFKA_CONSUMER, configuration, &reason, reason.count) else {
                rd_kafka_conf_destroy(configuration)
                throw KafkaError.client(errorText(reason))
            }
            handle = made
        } catch { throw .kafka(error) }
        defer {
            rd_kafka_consumer_close(handle)
            rd_kafka_destroy(handle)
        }
        rd_kafka_poll_set_consumer(handle)
        let wanted = Set(Topic.allCases.filter { $0 != .deadLetter }.map(topics.name))
        let targets: Set<PartitionKey>
        do throws(KafkaError) { targets = try assign(handle, topics: wanted, timeoutMilliseconds: milliseconds(until: deadline)) } catch { throw .kafka(error) }
        var report = Report()
        var remaining = targets
        var read: Set<PartitionKey> = []
        var batch: [KafkaMessage] = []
        func store() throws(Failure) {
            guard !batch.isEmpty else { return }
            var encoded: [EncodedEvent] = []
            for message in batch {
                EnvelopeMessage.forEachItem(in: message, topics: topics) { item in
                    if case .success(let event) = item.event { encoded.append(event) }
                }
            }
            batch.removeAll(keepingCapacity: true)
            guard !encoded.isEmpty else { return }
            do {
                for outcome in try log.appendAndWait(PreparedEvent.hashing(encoded)) {
                    if case .appended = outcome { report.appended += 1 } else { report.alreadyInLog += 1 }
                }
            } catch { throw .log(error) }
        }
        while !remaining.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw .timedOut(behind: remaining.map { "\($0.topic)[\($0.partition)]" }.sorted(), after: limit)
            }
            guard let raw = rd_kafka_consumer_poll(handle, 100) else {
                try store()
                continue
            }
            defer { rd_kafka_message_destroy(raw) }
            guard let topic = raw.pointee.rkt.flatMap({ rd_kafka_topic_name($0) }) else { continue }
            let key = PartitionKey(topic: String(cString: topic), partition: raw.pointee.partition)
            if raw.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                remaining.remove(key)
                continue
            }
            guard raw.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }  // retried by librdkafka itself
            report.messages += 1
            if read.insert(key).inserted { report.partitionsBehind += 1 }
            batch.append(KafkaMessage(
                topic: key.topic, partition: key.partition, offset: raw.pointee.offset,
                key: raw.pointee.key.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.pointee.key_len)) },
                value: raw.pointee.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.pointee.len)) } ?? [],
                headers: []))
            if batch.count >= KafkaConsumer.maxBatch { try store() }
        }
        try store()
        return report
    }

    struct PartitionKey: Hashable {
        let topic: String
        let partition: Int32
    }

    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = deadline - ContinuousClock.now
        return Int32(clamping: max(1, left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000))
    }

    /// Assigns every partition of `topics` from the group's committed offset (its start when the group never committed);
    /// topics that do not exist yet have nothing to catch up.
    private static func assign(_ handle: OpaquePointer, topics: Set<String>,
                               timeoutMilliseconds: Int32) throws(KafkaError) -> Set<PartitionKey> {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMilliseconds)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw .request("metadata: \(String(cString: rd_kafka_err2str(code)))")
        }
        var partitions: Set<PartitionKey> = []
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            let name = String(cString: topic.topic)
            guard topics.contains(name), topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            for slot in 0..<Int(topic.partition_cnt) { partitions.insert(PartitionKey(topic: name, partition: topic.partitions[slot].id)) }
        }
        rd_kafka_metadata_destroy(metadata)
        guard !partitions.isEmpty else { return [] }
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions { rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) }
        let committed = rd_kafka_committed(handle, list, timeoutMilliseconds)
        guard committed == RD_KAFKA_RESP_ERR_NO_ERROR else { throw .request("committed offsets: \(String(cString: rd_kafka_err2str(committed)))") }
        for index in 0..<Int(list.pointee.cnt) where list.pointee.elems[index].offset < 0 {
            list.pointee.elems[index].offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
        let assigned = rd_kafka_assign(handle, list)
        guard assigned == RD_KAFKA_RESP_ERR_NO_ERROR else { throw .request("assign: \(String(cString: rd_kafka_err2str(assigned)))") }
        return partitions
    }
}
