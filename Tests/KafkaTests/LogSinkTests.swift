import EventLog
import EventModel
import Foundation
import JSONCore
import KafkaBus
import Scenarios
import Testing
import TestSupport

/// The log sink against a real broker and a real LMDB log: every event once however often it is delivered, and
/// every malformed message on the dead-letter topic with a `bus.deadlettered` event, the sink going on after it.
@Suite(.serialized) struct LogSinkTests {
    @Test func eachEventOnceAndMalformedMessagesDeadLettered() async throws {
        let (broker, settings, topics) = try await KafkaTestKit.broker(prefix: "sink.")
        defer { broker.stop() }
        let directory = try KafkaTestKit.temporary("sink")
        let log = try EventLog(directory: directory)
        defer { log.close() }
        let producer = try KafkaProducer(settings: settings)
        defer { producer.close() }
        let publisher = EventPublisher(producer: producer, topics: topics)
        let sink = try KafkaLogSink(log: log, settings: settings, topics: topics, producer: producer,
                                    clock: SteppingClock(start: 1_700_000_000_000))
        let running = Task { try await sink.run() }

        var synthetic = SyntheticEvents(seed: 9, stream: "s-1")
        let valid = (0..<200).map { _ in synthetic.next() }
        try await publisher.publish(valid)
        try await publisher.publish(valid)  // a producer retrying after a crash: same ids again
        let segments = topics.name(.segments)
        func message(_ json: String, topic: String? = nil) -> OutgoingMessage {
            OutgoingMessage(topic: topic ?? segments, key: Array("s-1".utf8), value: Array(json.utf8))
        }
        _ = try await producer.send([
            OutgoingMessage(topic: segments, key: nil, value: [0xff, 0x00, 0x7b]),
            message(#"{"id":"x1","type":"segment.teleported","version":1,"topic":"segments","keys":{"stream":"s-1"},"timestamp":1,"payload":{}}"#),
            message(#"{"id":"x2","type":"segment.ingested","version":1,"topic":"segments","keys":{"stream":"s-1"},"timestamp":1,"payload":{"seq":-4}}"#),
            message(#"{"id":"x3","type":"ticket.won","version":1,"topic":"tickets","keys":{"stream":"s-1"},"timestamp":1,"payload":{}}"#),
        ])
        let after = (0..<10).map { _ in synthetic.next() }
        try await publisher.publish(after)

        let expected = 200 + 4 + 10
        #expect(try await KafkaTestKit.eventually(seconds: 60) { log.head.sequence >= UInt64(expected) })
        try await Task.sleep(for: .milliseconds(500))
        let records = try KafkaTestKit.events(log)
        #expect(records.count == expected)
        #expect(Set(records.map(\.envelope.id)).count == records.count, "no id twice")
        #expect(Set(valid.map(\.id) + after.map(\.id)).isSubset(of: Set(records.map(\.envelope.id))))
        let dead = records.filter { $0.envelope.type == "bus.deadlettered" }
        #expect(dead.compactMap { $0.envelope.payload["reason"]?.stringValue }.sorted() == ["schema", "unknown-type", "unparsable", "wrong-topic"])
        // The valid events sent after the bad ones are stored too (checked above): the sink went on.
        #expect(sink.statistics.duplicates >= 200)

        // The dead-letter topic holds the four originals, with the reason and origin as headers.
        let reader = try KafkaConsumer(settings: settings, group: "dlq-reader", topics: [topics.name(.deadLetter)])
        defer { reader.close() }
        var letters: [KafkaMessage] = []
        for await batch in reader.messages {
            letters += batch
            if letters.count >= 4 { break }
        }
        #expect(letters.count == 4)
        #expect(letters.contains { $0.value == [0xff, 0x00, 0x7b] })
        #expect(letters.allSatisfy { $0.header("streamflow-dead-reason") != nil && $0.header("streamflow-dead-origin") != nil })
        sink.stop()
        try await running.value
    }

    /// Batch messages through a real broker: every event once, in order per key, and a refused element set aside
    /// alone (its own dead letter and event) while the rest of its batch is stored.
    @Test func batchMessagesAreStoredEventByEventAndBadElementsDeadLettered() async throws {
        let (broker, settings, topics) = try await KafkaTestKit.broker(prefix: "batch.")
        defer { broker.stop() }
        let directory = try KafkaTestKit.temporary("batch")
        let log = try EventLog(directory: directory)
        defer { log.close() }
        let producer = try KafkaProducer(settings: settings)
        defer { producer.close() }
        let publisher = EventPublisher(producer: producer, topics: topics, eventsPerMessage: 16)
        let sink = try KafkaLogSink(log: log, settings: settings, topics: topics, producer: producer,
                                    clock: SteppingClock(start: 1_700_000_000_000))
        let running = Task { try await sink.run() }

        var streams = (0..<4).map { SyntheticEvents(seed: UInt64(20 + $0), stream: "b-\($0)") }
        var events = (0..<200).map { streams[$0 % 4].next() }
        events[37].payload = ["seq": -4]  // refused by its schema, inside a batch of b-1
        try await publisher.publish(events)
        try await publisher.publish(events)  // the same batches again: stored once (the bad element is a new message)

        // Batches from a client no one here wrote (Python confluent-kafka): one as json.dumps writes it by default
        // (spaces: the parse path), one canonical (the tape path).
        var python = SyntheticEvents(seed: 30, stream: "py-s")
        let pythonEvents = (0..<6).map { _ in python.next() }
        let texts = try pythonEvents.map { String(decoding: try EnvelopeMessage.encode($0, topics: topics).value, as: UTF8.self) }
        let script = """
            import json, sys
            from confluent_kafka import Producer
            events = [json.loads(text) for text in json.loads(sys.argv[3])]
            p = Producer({"bootstrap.servers": sys.argv[1], "enable.idempotence": True})
            p.produce(sys.argv[2], key=b"py-s", value=json.dumps(events[:3]).encode())
            p.produce(sys.argv[2], key=b"py-s",
                      value=json.dumps(events[3:], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
            assert p.flush(20) == 0
            """
        let arguments = [broker.address, topics.name(.segments), String(decoding: try CanonicalJSON.encode(.array(texts.map { .string($0) })), as: UTF8.self)]
        _ = try await OffPool.run { try PythonOracle.run(script: script, arguments: arguments) }

        #expect(try await KafkaTestKit.eventually(seconds: 60) { log.head.sequence >= 207 })
        try await Task.sleep(for: .milliseconds(500))
        let records = try KafkaTestKit.events(log)
        #expect(records.count == 207, "199 + 6 events and a bus.deadlettered for each of the two messages holding the bad one")
        #expect(records.filter { $0.envelope.keys.stream == "py-s" }.map(\.envelope) == pythonEvents)
        let stored = records.filter { $0.envelope.type != "bus.deadlettered" }
        for stream in 0..<4 {
            let expected = events.enumerated().filter { $0.offset % 4 == stream && $0.offset != 37 }.map(\.element.id)
            #expect(stored.filter { $0.envelope.keys.stream == "b-\(stream)" }.map(\.envelope.id) == expected, "order of b-\(stream)")
        }
        let dead = records.filter { $0.envelope.type == "bus.deadlettered" }
        #expect(dead.count == 2)
        #expect(dead.first?.envelope.id.hasPrefix("dead:\(topics.name(.segments)):") == true)
        #expect(dead.first?.envelope.payload["detail"]?.stringValue?.contains("of the batch") == true)
        #expect(sink.statistics.appended == 207 && sink.statistics.duplicates == 199 && sink.statistics.deadLettered == 2)

        let reader = try KafkaConsumer(settings: settings, group: "dlq-batch-reader", topics: [topics.name(.deadLetter)])
        defer { reader.close() }
        var letters: [KafkaMessage] = []
        for await batch in reader.messages {
            letters += batch
            if !letters.isEmpty { break }
        }
        // The letter holds the refused element alone: the event's own canonical JSON.
        #expect(letters.first?.value == (try EnvelopeMessage.encode(events[37], topics: topics)).value)
        sink.stop()
        try await running.value
    }
}
