import EventLog
import EventModel
import Foundation
import KafkaBus
import Scenarios
import Testing
import TestSupport

/// The start-up catch-up of a distributed node's log against a real broker: what the topics hold past the log sink
/// group's committed offsets reaches the log, once, malformed messages are left for the sink, and a group that
/// consumed everything has nothing to catch up.
@Suite(.serialized) struct TopicCatchUpTests {
    @Test func eventsPastTheCommittedOffsetsReachTheLogOnce() async throws {
        let (broker, settings, topics) = try await KafkaTestKit.broker(prefix: "catchup.")
        defer { broker.stop() }
        let directory = try KafkaTestKit.temporary("catchup")
        let log = try EventLog(directory: directory)
        defer { log.close() }
        let producer = try KafkaProducer(settings: settings)
        defer { producer.close() }
        let publisher = EventPublisher(producer: producer, topics: topics)
        var synthetic = SyntheticEvents(seed: 4, stream: "s-1")
        let published = (0..<300).map { _ in synthetic.next() }
        try await publisher.publish(published)
        _ = try await producer.send([OutgoingMessage(topic: topics.name(.segments), key: nil, value: [0xff, 0x00])])

        // Nothing committed by the group yet: every partition is behind; every valid event is appended.
        let first = try await OffPool.run { try TopicCatchUp.run(log: log, settings: settings, topics: topics, group: "catchup-log") }
        #expect(first.partitionsBehind >= 1)
        #expect(first.messages >= 301, "\(first)")
        #expect(first.appended == 300, "\(first)")
        let ids = try KafkaTestKit.events(log).map(\.envelope.id)
        #expect(ids.count == 300 && Set(ids) == Set(published.map(\.id)), "the malformed message is left for the sink to dead-letter")

        // The catch-up commits nothing: again, every event is read and is already in the log.
        let second = try await OffPool.run { try TopicCatchUp.run(log: log, settings: settings, topics: topics, group: "catchup-log") }
        #expect(second.appended == 0 && second.alreadyInLog == 300, "\(second)")

        // Once the group's sink has consumed and committed everything, nothing is behind.
        let sink = try KafkaLogSink(log: log, settings: settings, topics: topics, group: "catchup-log", producer: producer,
                                    clock: SteppingClock(start: 1_700_000_000_000))
        let running = Task { try await sink.run() }
        #expect(try await KafkaTestKit.eventually(seconds: 60) { sink.statistics.duplicates >= 300 && sink.statistics.deadLettered == 1 })
        try await Task.sleep(for: .seconds(1))  // the background commit of the last batch
        sink.stop()
        try await running.value
        let third = try await OffPool.run { try TopicCatchUp.run(log: log, settings: settings, topics: topics, group: "catchup-log") }
        #expect(third == TopicCatchUp.Report(), "\(third)")
    }

    @Test func topicsThatDoNotExistHaveNothingToCatchUp() async throws {
        let (broker, settings, _) = try await KafkaTestKit.broker(prefix: "present.")
        defer { broker.stop() }
        let log = try EventLog(directory: try KafkaTestKit.temporary("catchup-none"))
        defer { log.close() }
        let report = try await OffPool.run {
            try TopicCatchUp.run(log: log, settings: settings, topics: BusTopics(prefix: "absent."), group: "none")
        }
        #expect(report == TopicCatchUp.Report())
        #expect(log.head.sequence == 0)
    }
}
