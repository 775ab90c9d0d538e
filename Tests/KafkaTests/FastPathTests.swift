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

    @Test func canonicalAndReformattedMessagesGiveTheSameEventsAndRefusals() throws {
        var refused = 0
        for envelope in try Self.envelopes() {
            let outgoing = try EnvelopeMessage.encode(envelope, topics: Self.topics)
            let canonical = KafkaMessage(topic: outgoing.topic, partition: 0, offset: 0, key: outgoing.key, value: outgoing.value,
                                         headers: outgoing.headers)
            // One space after the opening brace: the same JSON, not canonical, so it takes the parse path.
            let reformatted = KafkaMessage(topic: outgoing.topic, partition: 0, offset: 0, key: outgoing.key,
                                           value: [UInt8(ascii: "{"), 0x20] + outgoing.value.dropFirst(), headers: outgoing.headers)
            #expect(EnvelopeMessage.canonicalParts(canonical, topics: Self.topics) != nil, "\(envelope.id) took the parse path")
            #expect(EnvelopeMessage.canonicalParts(reformatted, topics: Self.topics) == nil)

            let fast = Self.outcome(Result { () throws(DeadLetterReason) in try EnvelopeMessage.encodedEvent(canonical, topics: Self.topics) })
            let parsed = Self.outcome(Result { () throws(DeadLetterReason) in try EnvelopeMessage.encodedEvent(reformatted, topics: Self.topics) })
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
        #expect(EnvelopeMessage.canonicalParts(elsewhere, topics: Self.topics) == nil)
        #expect(throws: DeadLetterReason.self) { try EnvelopeMessage.encodedEvent(elsewhere, topics: Self.topics) }
        let text = String(decoding: outgoing.value, as: UTF8.self)
        for odd in [text.replacingOccurrences(of: #""version":1"#, with: #""version":"1""#),
                    text.replacingOccurrences(of: #""keys":{"#, with: #""keys":{"color":"red","#)] {
            #expect(odd != text)
            let message = KafkaMessage(topic: outgoing.topic, partition: 0, offset: 0, key: nil, value: Array(odd.utf8), headers: [])
            #expect(CanonicalTape(message.value) != nil)
            #expect(EnvelopeMessage.canonicalParts(message, topics: Self.topics) == nil)
            #expect(throws: DeadLetterReason.self) { try EnvelopeMessage.encodedEvent(message, topics: Self.topics) }
        }
    }
}
