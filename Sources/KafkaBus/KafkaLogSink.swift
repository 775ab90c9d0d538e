import Foundation
public import EventLog
public import EventModel

/// The log sink of distributed mode: consumes every event family's topic in consumer group `group` and appends
/// each event to the LMDB log, committing offsets only after the log has committed the events. Delivery is
/// at-least-once and the append is idempotent by event id, so every event is in the log exactly once whatever
/// the redeliveries, restarts and rebalances. A message that is not a valid event goes to the dead-letter topic
/// and a `bus.deadlettered` event goes into the log; the sink goes on.
public final class KafkaLogSink: @unchecked Sendable {
    // @unchecked: `counts` is guarded by `lock`; the consumer and producer are thread-safe.
    public let log: EventLog
    public let topics: BusTopics
    private let consumer: KafkaConsumer
    private let deadLetters: KafkaProducer
    private let clock: any EventClock
    private let name: String
    private let lock = NSLock()
    private var counts = Statistics()

    /// What the sink has done since it started.
    public struct Statistics: Sendable, Equatable {
        public var appended = 0
        public var duplicates = 0
        public var deadLettered = 0
        public var commitsRefused = 0
    }

    public init(log: EventLog, settings: KafkaSettings, topics: BusTopics, group: String = "streamflow-log",
                producer: KafkaProducer, clock: any EventClock) throws(KafkaError) {
        self.log = log
        self.topics = topics
        deadLetters = producer
        self.clock = clock
        name = group
        consumer = try KafkaConsumer(settings: settings, group: group,
                                     topics: Topic.allCases.filter { $0 != .deadLetter }.map(topics.name))
    }

    public var statistics: Statistics { lock.withLock { counts } }

    /// Partitions this sink holds now.
    public var assignment: [String: [Int32]] { consumer.assignment }

    /// Consumes until `stop()`; a failed append (the disk) ends it with that error, nothing committed past it.
    public func run() async throws {
        for await batch in consumer.messages { try await store(batch) }
    }

    /// Leaves the group and ends `run()`; what was appended but not committed comes again to the next sink.
    public func stop() { consumer.close() }

    private func store(_ batch: [KafkaMessage]) async throws {
        var prepared: [PreparedEvent] = []
        var rejected: [(KafkaMessage, DeadLetterReason)] = []
        for message in batch {
            do throws(DeadLetterReason) {
                let envelope = try EnvelopeMessage.decode(message, topics: topics)
                do { prepared.append(try PreparedEvent(envelope)) } catch { throw DeadLetterReason(error) }
            } catch {
                rejected.append((message, error))
            }
        }
        if !rejected.isEmpty {
            _ = try await deadLetters.send(rejected.map { DeadLetter.message(for: $0.0, reason: $0.1, topics: topics) })
            for (message, reason) in rejected {
                prepared.append(try PreparedEvent(DeadLetter.event(for: message, reason: reason, consumer: name,
                                                                   timestamp: clock.nowMilliseconds())))
            }
        }
        let outcomes = try await log.append(prepared)
        var refused = false
        do { try await consumer.commit(batch) } catch { refused = true }
        lock.withLock {
            for outcome in outcomes {
                if case .appended = outcome { counts.appended += 1 } else { counts.duplicates += 1 }
            }
            counts.deadLettered += rejected.count
            if refused { counts.commitsRefused += 1 }
        }
    }
}
