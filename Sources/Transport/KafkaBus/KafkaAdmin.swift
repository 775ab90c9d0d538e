import Foundation
internal import CRdKafka

/// Creating topics when they are absent (Kafka's CreateTopics; an existing topic is left as it is).
public enum KafkaAdmin {
    /// Creates each of `topics` with `partitions` partitions and `replication` replicas unless it exists.
    /// Blocking (up to `timeoutMilliseconds`): call it from a thread or at start-up, not from a busy task.
    public static func ensureTopics(_ topics: [String], partitions: Int, replication: Int = 1, settings: KafkaSettings,
                                    timeoutMilliseconds: Int32 = 15_000) throws(KafkaError) {
        let configuration = try settings.makeConfiguration(defaults: [:])
        var reason = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, configuration, &reason, reason.count) else {
            rd_kafka_conf_destroy(configuration)
            throw .client(errorText(reason))
        }
        defer { rd_kafka_destroy(handle) }
        var requests: [OpaquePointer?] = topics.map { topic in
            rd_kafka_NewTopic_new(topic, Int32(partitions), Int32(replication), &reason, reason.count)
        }
        defer { for request in requests { rd_kafka_NewTopic_destroy(request) } }
        guard !requests.contains(where: { $0 == nil }) else { throw .request("topic: \(errorText(reason))") }
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMilliseconds, &reason, reason.count)
        rd_kafka_CreateTopics(handle, &requests, requests.count, options, queue)
        guard let event = rd_kafka_queue_poll(queue, Int32(timeoutMilliseconds) + 1_000) else {
            throw .request("CreateTopics: no answer in \(timeoutMilliseconds) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        if rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw .request("CreateTopics: \(String(cString: rd_kafka_event_error_string(event)))")
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else { throw .request("CreateTopics: no result") }
        var count = 0
        guard let outcomes = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for index in 0..<count {
            let code = rd_kafka_topic_result_error(outcomes[index])
            guard code != RD_KAFKA_RESP_ERR_NO_ERROR, code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else { continue }
            let name = String(cString: rd_kafka_topic_result_name(outcomes[index]))
            let text = rd_kafka_topic_result_error_string(outcomes[index]).map { String(cString: $0) } ?? ""
            throw .request("create topic \(name): \(text)")
        }
    }
}
