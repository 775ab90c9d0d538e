import EventLog
import EventModel
import Foundation
import KafkaBus
import LMDB
import Synchronization

/// `streamflow bench kafka`: 200-byte events produced (idempotent, acks=all), consumed by the log sink and appended to
/// the LMDB log, on a broker on loopback: events/s from the first publish to the last append, and end-to-end latency
/// (event timestamp at publish → the log's commit). The anchor, in the same run, is librdkafka alone: the same count of
/// 200-byte values produced and consumed with no JSON, no log and no commits.
public enum KafkaBenchmark {
    public struct Report: Codable, Sendable {
        public var librdkafka: String
        /// Producer pacing in events/s; 0 when unpaced.
        public var pacedRate: Double
        public var events: Int
        /// Events per Kafka message (1: one message each; more: `BatchMessage`s of one key's events).
        public var eventsPerMessage: Int
        public var durability: String
        public var seconds: Double
        /// From the first publish until the broker had acknowledged every event (the producer side alone).
        public var producedSeconds: Double
        public var eventsPerSecond: Double
        public var p50LatencyMs: Double
        public var p99LatencyMs: Double
        public var rawKafkaPerSecond: Double
        public var ratioToRaw: Double
        /// One core, no Kafka: building the messages (envelope → canonical JSON), and the log sink's share of the work
        /// (JSON → envelope, schema validation, canonical encoding, hash prefix).
        public var encodePerSecond: Double
        public var decodeAndPreparePerSecond: Double
        public var eventsPerBatch: Double
        public var logCommits: Int
        public var goal: Double
        public var met: Bool
    }

    /// `rate` paces the producer (events per second; nil: as fast as it can, which measures throughput, while a paced run
    /// below it measures latency without a queue).
    public static func run(brokers: String, events count: Int, directory: String, durable: Bool,
                           rate: Double? = nil, eventsPerMessage: Int = 1) async throws -> Report {
        let settings = KafkaSettings(brokers: brokers, clientID: "streamflow-bench")
        let topics = BusTopics(prefix: "bench-\(UInt32.random(in: 0...UInt32.max))-", partitions: 6)
        try topics.ensure(settings: settings)
        try KafkaAdmin.ensureTopics([topics.prefix + "raw"], partitions: 6, settings: settings)
        let producer = try KafkaProducer(settings: settings)
        defer { producer.close() }
        let (encodeRate, decodeRate) = try cpuOnly(count: min(count, 100_000), topics: topics, eventsPerMessage: eventsPerMessage)
        let raw = try await rawRoundTrip(count: count, topic: topics.prefix + "raw", producer: producer, settings: settings)

        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog(directory: directory, options: .init(durability: durable ? .fsync : .noSync))
        defer { log.close() }
        let latencies = LatencySamples()
        let sink = try KafkaLogSink(log: log, settings: settings, topics: topics, producer: producer, clock: SystemClock()) { events in
            latencies.record(events, now: SystemClock().nowMilliseconds())
        }
        let consuming = Task { try await sink.run() }
        defer { sink.stop() }
        // Warm-up: the group has joined and assigned partitions once one event is through.
        var warm = BenchEvents.event(-1)
        warm.id = "bench-warm-up"
        try await EventPublisher(producer: producer, topics: topics).publish([warm])
        while sink.statistics.appended < 1 { try await Task.sleep(for: .milliseconds(20)) }
        latencies.reset()

        // Test data is made before the clock starts (as in `bench log`); encoding each event into its message is timed.
        let envelopes = BenchEvents.events(from: 0, count: count)
        let started = Date()
        let batch = rate.map { max(100, min(1_000, Int($0 / 100))) } ?? slice(eventsPerMessage: eventsPerMessage)
        let inFlight = InFlight(limit: 50)
        var index = 0
        while index < count {
            let now = SystemClock().nowMilliseconds()
            let slice = envelopes[index..<min(count, index + batch)].map { event in
                var event = event
                event.timestamp = now
                return event
            }
            let messages = try BatchMessage.messages(for: slice, topics: topics, eventsPerMessage: eventsPerMessage)
            index += slice.count
            if let rate, rate > 0 {
                let due = Double(index) / rate - Date().timeIntervalSince(started)
                if due > 0 { try await Task.sleep(for: .milliseconds(Int(due * 1_000))) }
            }
            await inFlight.acquire()
            producer.enqueue(messages) { _ in inFlight.release() }
        }
        // Every produce acknowledged by the broker: how long the producer side alone took.
        for _ in 0..<inFlight.limit { await inFlight.acquire() }
        let producedSeconds = Date().timeIntervalSince(started)
        while sink.statistics.appended < count + 1 {
            try await Task.sleep(for: .milliseconds(5))
            if Date().timeIntervalSince(started) > 600 { throw KafkaError.request("the log sink stalled") }
        }
        let seconds = Date().timeIntervalSince(started)
        sink.stop()
        _ = try? await consuming.value
        let sorted = latencies.values.sorted()
        let perSecond = Double(count) / seconds
        return Report(librdkafka: KafkaSettings.libraryVersion, pacedRate: rate ?? 0, events: count, eventsPerMessage: eventsPerMessage, durability: durable ? "fsync" : "no-sync",
                      seconds: seconds, producedSeconds: producedSeconds, eventsPerSecond: perSecond,
                      p50LatencyMs: Double(percentile(sorted, 0.50)), p99LatencyMs: Double(percentile(sorted, 0.99)),
                      rawKafkaPerSecond: raw, ratioToRaw: perSecond / raw,
                      encodePerSecond: encodeRate, decodeAndPreparePerSecond: decodeRate,
                      eventsPerBatch: Double(sink.statistics.appended) / Double(max(1, sink.statistics.batches)),
                      logCommits: log.commitStatistics.commits, goal: 100_000, met: perSecond >= 100_000)
    }

    /// Events encoded per producer call, unpaced: the bench has 64 keys, so 64 × N gives batches of about N.
    private static func slice(eventsPerMessage: Int) -> Int { max(1_000, 64 * eventsPerMessage) }

    /// The CPU work per event on one core without Kafka: encoding messages, then what the log sink does to each.
    private static func cpuOnly(count: Int, topics: BusTopics, eventsPerMessage: Int) throws -> (encode: Double, decodeAndPrepare: Double) {
        let events = BenchEvents.events(from: 0, count: count)
        var started = Date()
        var messages: [OutgoingMessage] = []
        let size = slice(eventsPerMessage: eventsPerMessage)
        for start in stride(from: 0, to: count, by: size) {
            messages += try BatchMessage.messages(for: Array(events[start..<min(count, start + size)]), topics: topics,
                                                  eventsPerMessage: eventsPerMessage)
        }
        let encode = Double(count) / Date().timeIntervalSince(started)
        let incoming = messages.enumerated().map { index, message in
            KafkaMessage(topic: message.topic, partition: 0, offset: Int64(index), key: message.key, value: message.value,
                         headers: message.headers)
        }
        started = Date()
        var prepared = 0
        for message in incoming {
            for item in EnvelopeMessage.items(in: message, topics: topics) {
                _ = PreparedEvent(try item.event.get())
                prepared += 1
            }
        }
        guard prepared == count else { throw KafkaError.request("decoded \(prepared) of \(count) events") }
        let total = Double(prepared) / Date().timeIntervalSince(started)
        return (encode, total)
    }

    /// librdkafka alone: `count` 200-byte values produced and consumed by one group member; values per second.
    private static func rawRoundTrip(count: Int, topic: String, producer: KafkaProducer, settings: KafkaSettings) async throws -> Double {
        let consumer = try KafkaConsumer(settings: settings, group: "bench-raw-\(UInt32.random(in: 0...UInt32.max))", topics: [topic],
                                         maxInFlight: count + 1_000)  // it never commits, so every message needs a credit
        defer { consumer.close() }
        _ = try await producer.send([OutgoingMessage(topic: topic, key: nil, value: [1])])
        var iterator = consumer.messages.makeAsyncIterator()
        _ = await iterator.next()  // joined
        let value = [UInt8](repeating: 0x61, count: 200)
        let started = Date()
        let inFlight = InFlight(limit: 50)
        for start in stride(from: 0, to: count, by: 1_000) {
            let messages = (start..<min(count, start + 1_000)).map {
                OutgoingMessage(topic: topic, key: Array("k\($0 % 64)".utf8), value: value)
            }
            await inFlight.acquire()
            producer.enqueue(messages) { _ in inFlight.release() }
        }
        var received = 0
        while received < count, let batch = await iterator.next() { received += batch.count }
        return Double(count) / Date().timeIntervalSince(started)
    }
}

/// Publish-to-commit latencies in milliseconds.
final class LatencySamples: Sendable {
    private let samples = Mutex<[Int64]>([])
    func record(_ events: [EventHeader], now: Int64) {
        samples.withLock { samples in for event in events { samples.append(now - event.timestamp) } }
    }
    func reset() { samples.withLock { $0 = [] } }
    var values: [Int64] { samples.withLock { $0 } }
}

/// At most `limit` produce batches awaiting delivery reports.
actor InFlight {
    nonisolated let limit: Int
    private var count = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    init(limit: Int) { self.limit = limit }
    func acquire() async {
        if count < limit {
            count += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }
    nonisolated func release() { Task { await releaseNow() } }
    private func releaseNow() {
        if waiters.isEmpty { count -= 1 } else { waiters.removeFirst().resume() }
    }
}
