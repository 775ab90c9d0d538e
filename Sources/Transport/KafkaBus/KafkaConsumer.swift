import Foundation
internal import CRdKafka

/// A Kafka consumer-group member whose offsets are committed only by hand, after the caller has made each message
/// durable (at-least-once). Messages arrive as an AsyncSequence; at most `maxInFlight` are handed out and not yet
/// committed, so a slow consumer holds the poll thread back (backpressure). Owns its librdkafka handle; polling
/// and commits run on its own thread and queue, never on the cooperative pool.
public final class KafkaConsumer: @unchecked Sendable {
    // @unchecked: `handle` is thread-safe in librdkafka; `closed`, `backlog`, `committing` and `refusedCommits` are
    // guarded by `lock`.
    private let handle: OpaquePointer
    private let lock = NSLock()
    private var closed = false
    private let flag = PollFlag()
    private let pollStopped = DispatchSemaphore(value: 0)
    private let credits: DispatchSemaphore
    private let commitQueue = DispatchQueue(label: "streamflow.kafka.commit")
    private var backlog: [KafkaMessage] = []
    private var committing = false
    private var refusedCommits = 0
    /// The messages in batches of what was ready together, in the order each partition holds them.
    public let messages: AsyncStream<[KafkaMessage]>

    /// Joins `group` and subscribes to `topics`.
    public init(settings: KafkaSettings, group: String, topics: [String], maxInFlight: Int = 10_000) throws(KafkaError) {
        var defaults = KafkaSettings.consumerDefaults
        defaults["group.id"] = group
        let configuration = try settings.makeConfiguration(defaults: defaults)
        var reason = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, configuration, &reason, reason.count) else {
            rd_kafka_conf_destroy(configuration)
            throw .client(errorText(reason))
        }
        self.handle = handle
        rd_kafka_poll_set_consumer(handle)
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, -1) }
        let code = rd_kafka_subscribe(handle, list)
        rd_kafka_topic_partition_list_destroy(list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            rd_kafka_destroy(handle)
            throw .request("subscribe to \(topics): \(String(cString: rd_kafka_err2str(code)))")
        }
        // Created at 0 and raised: libdispatch refuses to free a semaphore below its initial value, and credits handed
        // out but never committed (a consumer closed mid-work) would leave it there.
        credits = DispatchSemaphore(value: 0)
        for _ in 0..<max(1, maxInFlight) { credits.signal() }
        let (stream, continuation) = AsyncStream.makeStream(of: [KafkaMessage].self, bufferingPolicy: .unbounded)
        messages = stream
        let (flag, credits, stopped) = (flag, credits, pollStopped)
        let client = ClientHandle(pointer: handle)
        let thread = Thread {
            Self.pollLoop(handle: client.pointer, flag: flag, credits: credits, continuation: continuation)
            continuation.finish()
            stopped.signal()
        }
        thread.name = "streamflow.kafka.consumer-poll"
        thread.start()
    }

    private static func pollLoop(handle: OpaquePointer, flag: PollFlag, credits: DispatchSemaphore,
                                 continuation: AsyncStream<[KafkaMessage]>.Continuation) {
        var batch: [KafkaMessage] = []
        var topicNames: [UnsafeRawPointer: String] = [:]
        func handOver() {
            if !batch.isEmpty { continuation.yield(batch) }
            batch = []
        }
        while !flag.stopping {
            // Room for one more message: wait for it while nothing is pending (re-checking the stop flag every
            // 100 ms); with a batch pending, hand the batch over first.
            let room = credits.wait(timeout: batch.isEmpty ? .now() + .milliseconds(100) : .now())
            guard room == .success else {
                handOver()
                continue
            }
            guard let raw = rd_kafka_consumer_poll(handle, batch.isEmpty ? 100 : 0) else {
                credits.signal()
                handOver()
                continue
            }
            defer { rd_kafka_message_destroy(raw) }
            guard raw.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR, let topic = rd_kafka_topic_name(raw.pointee.rkt) else {
                credits.signal()  // errors (e.g. a broker down) are retried by librdkafka itself
                continue
            }
            // Topic names are made into Strings once per topic handle (checked byte for byte, in case a handle's
            // memory is reused for another topic).
            let name: String
            let bytes = UnsafeRawBufferPointer(start: topic, count: strlen(topic))
            if let known = topicNames[UnsafeRawPointer(topic)], known.utf8.elementsEqual(bytes) { name = known } else {
                name = String(cString: topic)
                topicNames[UnsafeRawPointer(topic)] = name
            }
            batch.append(KafkaMessage(
                topic: name, partition: raw.pointee.partition, offset: raw.pointee.offset,
                key: raw.pointee.key.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.pointee.key_len)) },
                value: raw.pointee.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.pointee.len)) } ?? [],
                headers: headers(of: raw)))
            if batch.count >= maxBatch { handOver() }
        }
        handOver()
    }

    /// The most messages handed over at once.
    static let maxBatch = 2_000

    private static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            result.append(KafkaHeader(name.map { String(cString: $0) } ?? "",
                                      value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []))
            index += 1
        }
        return result
    }

    /// Commits `messages` (offset + 1 per partition, the highest of each) and returns once the group coordinator
    /// has them. Call it only after the messages are durable where they were going. Frees their in-flight credit.
    public func commit(_ messages: [KafkaMessage]) async throws(KafkaError) {
        guard !messages.isEmpty else { return }
        let result: Result<Void, KafkaError> = await withCheckedContinuation { continuation in
            commitQueue.async { [self] in continuation.resume(returning: commitNow(messages)) }
        }
        try result.get()
    }

    /// Commits `messages` without waiting: offsets given while a commit is under way are merged into the next one,
    /// so a slow coordinator costs one round trip per burst, not per batch. Their credit is freed once committed
    /// (or refused). Call it only after the messages are durable, in the order they became durable.
    public func commitInBackground(_ messages: [KafkaMessage]) {
        guard !messages.isEmpty else { return }
        let startCommit = lock.withLock { () -> Bool in
            backlog += messages
            defer { committing = true }
            return !committing
        }
        guard startCommit else { return }
        commitQueue.async { [self] in
            while true {
                let next = lock.withLock { () -> [KafkaMessage] in
                    defer { backlog = [] }
                    if backlog.isEmpty { committing = false }
                    return backlog
                }
                guard !next.isEmpty else { return }
                if case .failure = commitNow(next) { lock.withLock { refusedCommits += 1 } }
            }
        }
    }

    /// Background commits the coordinator refused (a partition moved in a rebalance: its messages come again).
    public var refusedCommitCount: Int { lock.withLock { refusedCommits } }

    private func commitNow(_ messages: [KafkaMessage]) -> Result<Void, KafkaError> {
        defer { for _ in messages { credits.signal() } }
        if lock.withLock({ closed }) { return .failure(.closed) }
        var next: [String: [Int32: Int64]] = [:]
        for message in messages {
            let after = message.offset + 1
            next[message.topic, default: [:]][message.partition] = max(next[message.topic]?[message.partition] ?? 0, after)
        }
        let list = rd_kafka_topic_partition_list_new(Int32(messages.count))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (topic, partitions) in next {
            for (partition, offset) in partitions {
                rd_kafka_topic_partition_list_add(list, topic, partition)?.pointee.offset = offset
            }
        }
        let code = rd_kafka_commit(handle, list, 0)
        // After a rebalance the partition may belong to another member: the messages will come again (the log's
        // idempotent append takes care of that), so this is reported, not fatal.
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(.request("commit: \(String(cString: rd_kafka_err2str(code)))"))
        }
        return .success(())
    }

    /// Leaves the group (its partitions move to the others at once), stops polling, ends `messages` and frees the
    /// handle. Messages handed out but not committed will be delivered again to whoever gets their partition.
    public func close() {
        let wasOpen = lock.withLock { () -> Bool in
            defer { closed = true }
            return !closed
        }
        guard wasOpen else { return }
        flag.stop()
        credits.signal()
        pollStopped.wait()
        commitQueue.sync {}
        rd_kafka_consumer_close(handle)
        rd_kafka_destroy(handle)
    }

    deinit { close() }
}
