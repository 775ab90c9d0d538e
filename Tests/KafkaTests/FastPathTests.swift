import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
@testable import KafkaBus
import Scenarios
import Testing

/// The log sink reads canonical messages on a tape and keeps their payload bytes; every other message is parsed
/// and re-encoded. The two paths must store the same bytes and refuse with the same reasons.
struct FastPathTests {
    static let topics = BusTopics(prefix: "p.")

    /// Valid events of every family the reference scenario has, and refusals of each kind.
    static func envelopes() throws -> [EventEnvelope] {
        var synthetic = SyntheticEvents(seed: 5, stream: "quote\"and\\slash-ü")
        var envelopes = try ReferenceScenario.events() + (0..<20).map { _ in synthetic.next() }
        let base = synthetic.next()
        func variant(_ change: (inout EventEnvelope) -> Void) -> EventEnvelope {
            var copy = base
            change(&copy)
            return copy
        }
        envelopes += [
            variant { $0.type = "segment.teleported" },
            variant { $0.version = 9 },
            variant { $0.type = "ticket.won" },
            variant { $0.payload = ["seq": -4] },
            variant { $0.payload = ["seq": 1, "unknown": "x\n"] },
            variant { $0.keys = EventKeys() },
            variant { $0.keys.stream = "" },
            variant { $0.id = "tab\there" },
            variant { $0.id = String(repeating: "i", count: 300) },
            variant { $0.version = 0 },
        ]
        return envelopes
    }

    /// The stored bytes of an encoded event, through its hash, or the refusal.
    static func outcome(_ result: Result<EncodedEvent, DeadLetterReason>) -> Result<Hash32, DeadLetterReason> {
        result.map { PreparedEvent($0).hash(sequence: 1, previous: .zero) }
    }

    /// The fast path's reading of a single-event message; nil when it goes the parse path.
    static func fastParts(_ message: KafkaMessage) -> (EventHeader, Int)? {
        CanonicalTape(message.value).flatMap { EnvelopeMessage.canonicalParts($0, at: 0, family: topics.family(ofTopic: message.topic)) }
    }

    /// The one event of a single-event message.
    static func only(_ message: KafkaMessage) -> Result<EncodedEvent, DeadLetterReason> {
        let items = EnvelopeMessage.items(in: message, topics: topics)
        #expect(items.count == 1)
        return items[0].event
    }

    @Test func canonicalAndReformattedMessagesGiveTheSameEventsAndRefusals() throws {
        var refused = 0
        for envelope in try Self.envelopes() {
            let outgoing = try EnvelopeMessage.encode(envelope, topics: Self.topics)
            let canonical = KafkaMessage(topic: outgoing.topic, partition: 0, offset: 0, key: outgoing.key, value: outgoing.value,
                                         headers: outgoing.headers)
            // One space after the opening brace: the same JSON, not canonical, so it takes the parse path.
            let reformatted = KafkaMessage(topic: outgoing.topic, partition: 0, offset: 0, key: outgoing.key,
                                           value: [UInt8(ascii: "{"), 0x20] + outgoing.value.dropFirst(), headers: outgoing.headers)
            #expect(Self.fastParts(canonical) != nil, "\(envelope.id) took the parse path")
            #expect(Self.fastParts(reformatted) == nil)

            let fast = Self.outcome(Self.only(canonical))
            let parsed = Self.outcome(Self.only(reformatted))
            let direct = Self.outcome(Result { () throws(EventRejection) in try EncodedEvent(envelope) }.mapError(DeadLetterReason.init))
            #expect(fast == parsed, "\(envelope.type) \(envelope.id)")
            #expect(fast == direct, "\(envelope.type) \(envelope.id)")
            if case .failure = fast { refused += 1 }
        }
        #expect(refused == 10)
    }

    @Test func messagesOnTheWrongTopicOrWithOddFieldsTakeTheParsePath() throws {
        var synthetic = SyntheticEvents(seed: 6, stream: "s-1")
        let envelope = synthetic.next()
        let outgoing = try EnvelopeMessage.encode(envelope, topics: Self.topics)
        let elsewhere = KafkaMessage(topic: "p.tickets", partition: 0, offset: 0, key: nil, value: outgoing.value, headers: [])
        #expect(Self.fastParts(elsewhere) == nil)
        #expect(throws: DeadLetterReason.self) { try Self.only(elsewhere).get() }
        let text = String(decoding: outgoing.value, as: UTF8.self)
        for odd in [text.replacingOccurrences(of: #""version":1"#, with: #""version":"1""#),
                    text.replacingOccurrences(of: #""keys":{"#, with: #""keys":{"color":"red","#)] {
            #expect(odd != text)
            let message = KafkaMessage(topic: outgoing.topic, partition: 0, offset: 0, key: nil, value: Array(odd.utf8), headers: [])
            #expect(CanonicalTape(message.value) != nil)
            #expect(Self.fastParts(message) == nil)
            #expect(throws: DeadLetterReason.self) { try Self.only(message).get() }
        }
    }
}

/// Batch messages: each key's events in order, split by count and size, read back element by element on either path.
struct BatchMessageTests {
    static let topics = BusTopics(prefix: "p.")

    static func incoming(_ message: OutgoingMessage, offset: Int64 = 0) -> KafkaMessage {
        KafkaMessage(topic: message.topic, partition: 0, offset: offset, key: message.key, value: message.value, headers: message.headers)
    }

    @Test func eachKeysEventsShareMessagesInOrder() throws {
        var events: [EventEnvelope] = []
        var generators = (0..<3).map { SyntheticEvents(seed: UInt64($0), stream: "s-\($0)") }
        for index in 0..<90 { events.append(generators[index % 3].next()) }
        let messages = try BatchMessage.messages(for: events, topics: Self.topics, eventsPerMessage: 8)
        // 30 events per key in messages of at most 8: 4 messages per key.
        #expect(messages.count == 12)
        var seen: [String: [String]] = [:]
        for message in messages {
            let items = EnvelopeMessage.items(in: Self.incoming(message), topics: Self.topics)
            #expect(items.count <= 8)
            #expect(message.headers.contains { $0.name == BatchMessage.countHeader } == (items.count > 1))
            for item in items {
                let event = try item.event.get()
                #expect(event.header.keys.partitionKey.map { Array($0.utf8) } == message.key)
                seen[event.header.keys.stream!, default: []].append(event.header.id)
            }
        }
        for stream in ["s-0", "s-1", "s-2"] {
            #expect(seen[stream] == events.filter { $0.keys.stream == stream }.map(\.id), "order of \(stream)")
        }
        // The same events one per message give the same prepared events.
        let single = try BatchMessage.messages(for: events, topics: Self.topics, eventsPerMessage: 1)
        #expect(single.count == 90)
        let hashes = { (messages: [OutgoingMessage]) in
            try messages.flatMap { EnvelopeMessage.items(in: Self.incoming($0), topics: Self.topics) }
                .map { PreparedEvent(try $0.event.get()).hash(sequence: 1, previous: .zero) }
        }
        #expect(Set(try hashes(messages)) == Set(try hashes(single)))
    }

    @Test func batchesCloseAtTheSizeLimitAndEventsWithHeadersTravelAlone() throws {
        var synthetic = SyntheticEvents(seed: 4, stream: "big")
        var events = (0..<40).map { _ in synthetic.next() }
        for index in events.indices {
            events[index].payload = ["seq": .integer(Int64(index)), "note": .string(String(repeating: "n", count: 30_000))]
        }
        let withHeader = events[20].id
        let messages = try BatchMessage.messages(for: events, topics: Self.topics, eventsPerMessage: 1_000,
                                                 headers: [withHeader: [KafkaHeader("blob", [1, 2, 3])]])
        #expect(messages.allSatisfy { $0.value.count <= BatchMessage.maxBytes })
        #expect(messages.count >= 4)
        let alone = messages.filter { $0.headers.contains { $0.name == "blob" } }
        #expect(alone.count == 1 && !alone[0].headers.contains { $0.name == BatchMessage.countHeader })
        let order = messages.flatMap { message in
            EnvelopeMessage.items(in: Self.incoming(message), topics: Self.topics).map { $0.element }
        }
        #expect(order.count == 40)
    }

    @Test func refusalsStayWithTheirElementOnBothPaths() throws {
        var synthetic = SyntheticEvents(seed: 8, stream: "s")
        var events = (0..<5).map { _ in synthetic.next() }
        events[1].type = "segment.teleported"
        events[3].payload = ["seq": -4]
        let message = try #require(try BatchMessage.messages(for: events, topics: Self.topics, eventsPerMessage: 10).first)
        let canonical = Self.incoming(message, offset: 7)
        let spaced = KafkaMessage(topic: message.topic, partition: 0, offset: 7, key: message.key,
                                  value: [UInt8(ascii: "["), 0x20] + message.value.dropFirst(), headers: message.headers)
        let fast = EnvelopeMessage.items(in: canonical, topics: Self.topics)
        let parsed = EnvelopeMessage.items(in: spaced, topics: Self.topics)
        #expect(fast.map(\.element) == [0, 1, 2, 3, 4])
        #expect(parsed.map(\.element) == [0, 1, 2, 3, 4])
        let outcome = { (items: [MessageItem]) in items.map { FastPathTests.outcome($0.event) } }
        #expect(outcome(fast) == outcome(parsed))
        #expect(fast.map { (try? $0.event.get()) == nil } == [false, true, false, true, false])

        // The dead letter of an element holds that element and names it.
        let bad = fast[3]
        guard case .failure(let reason) = bad.event else { Issue.record("element 3 was accepted"); return }
        let letter = DeadLetter.message(for: canonical, item: bad, reason: reason, topics: Self.topics)
        #expect(letter.value == (try EnvelopeMessage.encode(events[3], topics: Self.topics)).value)
        #expect(letter.headers.contains { $0.name == "streamflow-dead-origin" && $0.value == Array("p.segments/0/7#3".utf8) })
        let event = DeadLetter.event(for: canonical, item: bad, reason: reason, consumer: "c", timestamp: 1)
        #expect(event.id == "dead:p.segments:0:7:3")
        #expect(event.payload["detail"]?.stringValue?.hasPrefix("element 3 of the batch: ") == true)
        #expect(throws: Never.self) { try PreparedEvent(event) }
    }

    @Test func emptyOrNestedBatchesAreRefused() {
        for text in ["[]", "[ ]", "[[]]", "[1]"] {
            let message = KafkaMessage(topic: "p.segments", partition: 0, offset: 0, key: nil, value: Array(text.utf8), headers: [])
            let items = EnvelopeMessage.items(in: message, topics: Self.topics)
            #expect(items.count == 1, "\(text)")
            #expect((try? items[0].event.get()) == nil, "\(text)")
        }
    }
}
