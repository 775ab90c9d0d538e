import Foundation
import Synchronization
internal import CRdKafka

/// An idempotent Kafka producer (acks=all): a message counts as published only once the broker's delivery report
/// says so. Owns its librdkafka handle; produce calls run on its own serial queue and delivery reports on its own
/// poll thread, never on the cooperative pool. When librdkafka's queue is full, producing waits (backpressure).
public final class KafkaProducer: @unchecked Sendable {
    // @unchecked: owns the rd_kafka handle (an OpaquePointer; thread-safe in librdkafka). Its other state is Sendable.
    private let handle: OpaquePointer
    private let produceQueue = DispatchQueue(label: "streamflow.kafka.produce")
    private let closed = Atomic(false)
    private let pollFlag = PollFlag()
    private let pollStopped = DispatchSemaphore(value: 0)

    public init(settings: KafkaSettings) throws(KafkaError) {
        let configuration = try settings.makeConfiguration(defaults: KafkaSettings.producerDefaults)
        rd_kafka_conf_set_dr_msg_cb(configuration, kafkaDeliveryReport)
        var reason = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, configuration, &reason, reason.count) else {
            rd_kafka_conf_destroy(configuration)
            throw .client(errorText(reason))
        }
        self.handle = handle
        let (flag, stopped, client) = (pollFlag, pollStopped, ClientHandle(pointer: handle))
        let pollThread = Thread {
            while !flag.stopping { rd_kafka_poll(client.pointer, 50) }
            stopped.signal()
        }
        pollThread.name = "streamflow.kafka.producer-poll"
        pollThread.start()
    }

    /// Produces `messages` in order and returns when the broker has acknowledged every one.
    public func send(_ messages: [OutgoingMessage]) async throws(KafkaError) -> [DeliveredOffset] {
        let result: Result<[DeliveredOffset], KafkaError> = await withCheckedContinuation { continuation in
            enqueue(messages) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Queues `messages` in order (no waiting here); `completion` runs once every delivery report is in, with the
    /// first failure if any.
    public func enqueue(_ messages: [OutgoingMessage],
                        completion: @escaping @Sendable (Result<[DeliveredOffset], KafkaError>) -> Void) {
        guard !messages.isEmpty else { return completion(.success([])) }
        let batch = DeliveryBatch(count: messages.count, completion: completion)
        produceQueue.async { [self] in
            for (index, message) in messages.enumerated() {
                if let error = produceNow(message, batch: batch, index: index) {
                    batch.fail(index: index, error: error)
                }
            }
        }
    }

    /// Waits (blocking) until everything queued is delivered or `timeoutMilliseconds` pass.
    private func flush(timeoutMilliseconds: Int32 = 10_000) {
        produceQueue.sync {}
        rd_kafka_flush(handle, timeoutMilliseconds)
    }

    /// Flushes what is queued (up to 10 s), stops the poll thread and frees the handle. Later sends fail with `.closed`.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        flush()
        pollFlag.stop()
        pollStopped.wait()
        rd_kafka_destroy(handle)
    }

    deinit { close() }

    /// One produce call on the produce queue, retried while librdkafka's queue is full. Returns an error only when
    /// the message was not queued (its delivery report will never come).
    private func produceNow(_ message: OutgoingMessage, batch: DeliveryBatch, index: Int) -> KafkaError? {
        if closed.load(ordering: .acquiring) { return .closed }
        while true {
            let headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                _ = header.value.withUnsafeBytes { value in
                    rd_kafka_header_add(headers, header.name, -1, value.baseAddress, value.count)
                }
            }
            let token = Unmanaged.passRetained(DeliveryToken(batch: batch, index: index)).toOpaque()
            let code = message.value.withUnsafeBytes { value in
                withOptionalBytes(message.key) { key in
                    sf_kafka_produce(handle, message.topic, key.baseAddress, key.count, value.baseAddress, value.count,
                                     headers, token)
                }
            }
            if code == RD_KAFKA_RESP_ERR_NO_ERROR { return nil }
            rd_kafka_headers_destroy(headers)
            Unmanaged<DeliveryToken>.fromOpaque(token).release()
            guard code == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
                return .delivery(code: code.rawValue, reason: String(cString: rd_kafka_err2str(code)))
            }
            usleep(500)  // backpressure: the poll thread is draining delivery reports
        }
    }
}

/// The stop flag of a poll thread.
final class PollFlag: Sendable {
    private let flag = Atomic(false)
    var stopping: Bool { flag.load(ordering: .acquiring) }
    func stop() { flag.store(true, ordering: .releasing) }
}

/// The delivery reports of one `enqueue` call, counted down to one completion (run outside the lock, once).
final class DeliveryBatch: Sendable {
    private struct State {
        var remaining: Int
        var offsets: [DeliveredOffset]
        var firstError: KafkaError?
    }
    private let state: Mutex<State>
    private let completion: @Sendable (Result<[DeliveredOffset], KafkaError>) -> Void

    init(count: Int, completion: @escaping @Sendable (Result<[DeliveredOffset], KafkaError>) -> Void) {
        state = Mutex(State(remaining: count, offsets: Array(repeating: DeliveredOffset(partition: -1, offset: -1), count: count)))
        self.completion = completion
    }

    func deliver(index: Int, offset: DeliveredOffset) { finish { $0.offsets[index] = offset } }
    func fail(index: Int, error: KafkaError) { finish { if $0.firstError == nil { $0.firstError = error } } }

    private func finish(_ update: (inout State) -> Void) {
        let done = state.withLock { state -> Result<[DeliveredOffset], KafkaError>? in
            update(&state)
            state.remaining -= 1
            guard state.remaining == 0 else { return nil }
            if let firstError = state.firstError { return .failure(firstError) }
            return .success(state.offsets)
        }
        if let done { completion(done) }
    }
}

/// What rides with one message as its opaque pointer, retained until its delivery report.
final class DeliveryToken {
    let batch: DeliveryBatch
    let index: Int
    init(batch: DeliveryBatch, index: Int) {
        self.batch = batch
        self.index = index
    }
}

/// librdkafka's delivery report callback (runs on the producer's poll thread).
private let kafkaDeliveryReport: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?)
    -> Void = { _, message, _ in
        guard let message, let opaque = message.pointee._private else { return }
        let token = Unmanaged<DeliveryToken>.fromOpaque(opaque).takeRetainedValue()
        let code = message.pointee.err
        if code == RD_KAFKA_RESP_ERR_NO_ERROR {
            token.batch.deliver(index: token.index, offset: DeliveredOffset(partition: message.pointee.partition,
                                                                            offset: message.pointee.offset))
        } else {
            token.batch.fail(index: token.index, error: .delivery(code: code.rawValue, reason: String(cString: rd_kafka_err2str(code))))
        }
    }

func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    guard let bytes else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    return bytes.withUnsafeBytes(body)
}
