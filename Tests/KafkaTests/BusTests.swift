import EventModel
import Foundation
import JSONCore
import KafkaBus
import Scenarios
import Testing
import TestSupport

/// The bus against a real broker: what the Swift producer publishes, an independent client (Python confluent-kafka)
/// reads in order per key with its headers; what that client produces, the Swift consumer reads; committed offsets
/// decide where the group resumes.
@Suite(.serialized) struct BusTests {
    @Test func swiftPublishesConfluentKafkaReadsInOrderPerKey() async throws {
        let (broker, settings, topics) = try await KafkaTestKit.broker(prefix: "bus1.")
        defer { broker.stop() }
        let producer = try KafkaProducer(settings: settings)
        defer { producer.close() }
        let publisher = EventPublisher(producer: producer, topics: topics)
        var streams = (0..<3).map { SyntheticEvents(seed: UInt64($0), stream: "stream-\($0)") }
        var sent: [String: [String]] = [:]
        var events: [EventEnvelope] = []
        for index in 0..<300 {
            let event = streams[index % 3].next()
            guard event.topic == .segments else { continue }
            events.append(event)
            sent[event.keys.stream!, default: []].append(event.id)
        }
        try await publisher.publish(events)
        let script = """
            import json, sys
            from confluent_kafka import Consumer
            c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "py", "auto.offset.reset": "earliest",
                          "session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
            c.subscribe([sys.argv[2]])
            seen, types, want = {}, set(), int(sys.argv[3])
            import time; deadline = time.time() + 40
            while sum(map(len, seen.values())) < want and time.time() < deadline:
                m = c.poll(0.5)
                if m is None or m.error(): continue
                event = json.loads(m.value())
                assert m.key().decode() == event["keys"]["stream"]
                types.add(dict(m.headers())["streamflow-type"].decode() == event["type"])
                seen.setdefault(event["keys"]["stream"], []).append(event["id"])
            c.close()
            print(json.dumps({"seen": seen, "headersMatch": list(types)}))
            """
        let (address, topic, count) = (broker.address, topics.name(.segments), events.count)
        let output = try await OffPool.run {
            try PythonOracle.run(script: script, arguments: [address, topic, "\(count)"])
        }
        let answer = try JSONParser.parse(Array(output))
        for (stream, ids) in sent {
            #expect(answer["seen"]?[stream]?.arrayValue?.compactMap(\.stringValue) == ids, "order of \(stream)")
        }
        #expect(answer["headersMatch"]?.arrayValue == [.bool(true)])
    }

    @Test func consumerResumesAfterTheLastCommit() async throws {
        let (broker, settings, topics) = try await KafkaTestKit.broker(prefix: "bus2.", partitions: 1)
        defer { broker.stop() }
        let topic = topics.name(.tickets)
        let script = """
            import sys
            from confluent_kafka import Producer
            p = Producer({"bootstrap.servers": sys.argv[1], "enable.idempotence": True})
            for i in range(50): p.produce(sys.argv[2], key=b"k", value=b"message-%d" % i, headers=[("n", str(i).encode())])
            assert p.flush(20) == 0
            """
        let address = broker.address
        _ = try await OffPool.run { try PythonOracle.run(script: script, arguments: [address, topic]) }
        let first = try KafkaConsumer(settings: settings, group: "resume", topics: [topic])
        var received: [KafkaMessage] = []
        for await batch in first.messages {
            received += batch
            if received.count >= 50 { break }
        }
        #expect(received.map { String(decoding: $0.value, as: UTF8.self) } == (0..<50).map { "message-\($0)" })
        #expect(received[7].header("n") == Array("7".utf8))
        try await first.commit(Array(received.prefix(20)))  // only the first 20 are "durable"
        first.close()
        let second = try KafkaConsumer(settings: settings, group: "resume", topics: [topic])
        defer { second.close() }
        var again: [KafkaMessage] = []
        for await batch in second.messages {
            again += batch
            if again.count >= 30 { break }
        }
        #expect(again.first?.offset == 20)
        #expect(again.map { String(decoding: $0.value, as: UTF8.self) } == (20..<50).map { "message-\($0)" })
    }

    @Test func badSettingsAreRefusedByName() throws {
        #expect(throws: KafkaError.configuration(name: "no.such.property", reason: "No such configuration property: \"no.such.property\"")) {
            _ = try KafkaProducer(settings: KafkaSettings(brokers: "127.0.0.1:1", properties: ["no.such.property": "1"]))
        }
    }
}

/// The message encoding without a broker: the hand-written envelope JSON is byte for byte the canonical JSON of the
/// envelope object, and it decodes back to the same envelope.
struct EnvelopeMessageTests {
    @Test func handWrittenEncodingIsCanonicalAndRoundTrips() throws {
        var synthetic = SyntheticEvents(seed: 3, stream: "quote\"and\\slash-ü")
        var envelopes = (0..<30).map { _ in synthetic.next() }
        envelopes.append(EventEnvelope(id: "all-keys", type: "segment.ingested", version: 1, topic: .segments,
                                       keys: EventKeys(stream: "s", session: "x", orchestrator: "o", sender: "z"),
                                       timestamp: -1, payload: ["seq": .integer(Int64.min), "n": .integer(Int64.max)]))
        let topics = BusTopics(prefix: "p.")
        for envelope in envelopes {
            let message = try EnvelopeMessage.encode(envelope, topics: topics)
            let object: JSONValue = [
                "id": .string(envelope.id), "type": .string(envelope.type), "version": .integer(Int64(envelope.version)),
                "topic": .string(envelope.topic.rawValue), "keys": envelope.keys.jsonObject, "timestamp": .integer(envelope.timestamp),
                "payload": envelope.payload,
            ]
            #expect(message.value == (try CanonicalJSON.encode(object)))
            let incoming = KafkaMessage(topic: message.topic, partition: 0, offset: 0, key: message.key, value: message.value,
                                        headers: message.headers)
            #expect(try EnvelopeMessage.decode(incoming, topics: topics) == envelope)
        }
    }

    @Test func integersAreWrittenAsSwiftPrintsThem() {
        for number: Int64 in [0, 1, -1, 9, 10, -10, 1_700_000_000_000, .max, .min] {
            var out: [UInt8] = []
            CanonicalJSON.appendInteger(number, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(number))
        }
    }
}
