import Foundation
import Synchronization
public import EventLog
public import EventModel

/// The log sink of distributed mode: consumes every event family's topic in consumer group `group` and appends
/// each event to the LMDB log, committing offsets only after the log has committed the events. Delivery is
/// at-least-once and the append is idempotent by event id, so every event is in the log exactly once whatever
/// the redeliveries, restarts and rebalances. A message that is not a valid event goes to the dead-letter topic
/// and a `bus.deadlettered` event goes into the log; the sink goes on.
public final class KafkaLogSink: Sendable {
    public let log: EventLog
    public let topics: BusTopics
    private let consumer: KafkaConsumer
    private let deadLetters: KafkaProducer
    private let clock: any EventClock
    private let name: String
    /// What the sink has done, and the append failure that ends it (nothing is committed past it).
    private let progress = Mutex<(counts: Statistics, appendFailure: (any Error)?)>((Statistics(), nil))
    private let inFlight = PendingEmits()
    private let stored: (@Sendable ([EventHeader]) -> Void)?

    /// What the sink has done since it started.
    public struct Statistics: Sendable, Equatable {
        public var appended = 0
        public var duplicates = 0
        public var deadLettered = 0
        public var commitsRefused = 0
        /// Batches handed over by the consumer (appended count ÷ batches is the mean batch).
        public var batches = 0
    }

    /// `stored` (optional) sees each batch's events once the log has committed them (append lag, benchmarks).
    public init(log: EventLog, settings: KafkaSettings, topics: BusTopics, group: String = "streamflow-log",
                producer: KafkaProducer, clock: any EventClock,
                stored: (@Sendable (_ committed: [EventHeader]) -> Void)? = nil) throws(KafkaError) {
        self.stored = stored
        self.log = log
        self.topics = topics
        deadLetters = producer
        self.clock = clock
        name = group
        consumer = try KafkaConsumer(settings: settings, group: group,
                                     topics: Topic.allCases.filter { $0 != .deadLetter }.map(topics.name), maxInFlight: 50_000)
    }

    public var statistics: Statistics {
        var snapshot = progress.withLock { $0.counts }
        snapshot.commitsRefused = consumer.refusedCommitCount
        return snapshot
    }

    /// Consumes until `stop()`; a failed append (the disk) ends it with that error, nothing committed past it.
    /// Batches are pipelined: the next one is decoded and validated while the log commits the previous one, and
    /// offsets are committed in the background once the log has the events.
    public func run() async throws {
        for await batch in consumer.messages {
            if let failure = progress.withLock({ $0.appendFailure }) { throw failure }
            try await store(batch)
        }
        await inFlight.flush()
        if let failure = progress.withLock({ $0.appendFailure }) { throw failure }
    }

    /// Leaves the group and ends `run()`; what was appended but not committed comes again to the next sink.
    public func stop() { consumer.close() }

    /// Decoding and validation of a batch over this many bytes run in two halves at once (in message order
    /// afterwards); the halves are cut by bytes, since a batch message holds many events.
    static let splitAbove = 64 * 1_024

    private func store(_ batch: [KafkaMessage]) async throws {
        var checked: Checked
        let bytes = batch.reduce(0) { $0 + $1.value.count }
        if bytes > Self.splitAbove, batch.count > 1 {
            var half = 0, seen = 0
            while half < batch.count - 1, seen < bytes / 2 {
                seen += batch[half].value.count
                half += 1
            }
            async let first = Self.check(batch[..<half], topics: topics)
            let second = Self.check(batch[half...], topics: topics)
            checked = await first
            checked.prepared += second.prepared
            checked.rejected += second.rejected
        } else {
            checked = Self.check(batch[...], topics: topics)
        }
        var prepared = checked.prepared
        let rejected = checked.rejected
        if !rejected.isEmpty {
            _ = try await deadLetters.send(rejected.map {
                DeadLetter.message(for: batch[$0.message], item: $0.item, reason: $0.reason, topics: topics)
            })
            for refusal in rejected {
                prepared.append(try PreparedEvent(DeadLetter.event(for: batch[refusal.message], item: refusal.item, reason: refusal.reason,
                                                                   consumer: name, timestamp: clock.nowMilliseconds())))
            }
        }
        inFlight.started()
        let headers = stored == nil ? [] : prepared.map(\.header)
        let deadLettered = rejected.count
        log.append(prepared) { [self] result in
            defer { inFlight.finished() }
            switch result {
            case .success(let outcomes):
                // Once a batch failed, nothing after it is committed (its messages come again after a restart).
                guard progress.withLock({ $0.appendFailure == nil }) else { return }
                stored?(headers)
                progress.withLock { progress in
                    for outcome in outcomes {
                        if case .appended = outcome { progress.counts.appended += 1 } else { progress.counts.duplicates += 1 }
                    }
                    progress.counts.deadLettered += deadLettered
                    progress.counts.batches += 1
                }
                consumer.commitInBackground(batch)
            case .failure(let error):
                progress.withLock { if $0.appendFailure == nil { $0.appendFailure = error } }
            }
        }
    }

    /// A consumer batch's events prepared for the log (validated, encoded, hashed), in message order, and the
    /// refused ones with their reasons (`message` is the index in the consumer batch).
    private struct Checked {
        var prepared: [PreparedEvent]
        var rejected: [(message: Int, item: MessageItem, reason: DeadLetterReason)]
    }

    /// Every event of each message, prepared or refused.
    private static func check(_ messages: ArraySlice<KafkaMessage>, topics: BusTopics) -> Checked {
        var encoded: [EncodedEvent] = []
        encoded.reserveCapacity(messages.count)
        var rejected: [(message: Int, item: MessageItem, reason: DeadLetterReason)] = []
        for (index, message) in zip(messages.indices, messages) {
            EnvelopeMessage.forEachItem(in: message, topics: topics) { item in
                switch item.event {
                case .success(let event): encoded.append(event)
                case .failure(let reason): rejected.append((index, item, reason))
                }
            }
        }
        // The accepted ones are hashed together (eight per permutation).
        return Checked(prepared: PreparedEvent.hashing(encoded), rejected: rejected)
    }
}
