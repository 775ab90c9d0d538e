import EthCrypto
import EventModel
import EventSchemas
import JSONCore
import Testing

/// Typed events are held to the catalog: each declaration's type, version, topic and keys are the catalog's, an instance's
/// envelope passes the schema the log checks every write against, and what is written reads back as the same event.
@Suite("typed events")
struct TypedEventTests {
    static let hash = Keccak256.hash(Array("tx".utf8))
    static let samples: [any TypedEvent] = [
        RedemptionSubmitted(txHash: hash, tickets: [Keccak256.hash([1]), Keccak256.hash([2])], gasPrice: UInt256(7), gasLimit: 300_000,
                            faceValue: UInt256(1_000)),
        RedemptionConfirmed(receipt: MinedReceipt(txHash: hash, block: 12, round: 3, gasUsed: 250_000, gasPrice: UInt256(7),
                                                  gasCost: UInt256(1_750_000)),
                            redeemed: 2, ticketsPaid: 2, faceValue: UInt256(1_000), amount: UInt256(1_000), orchestratorShare: UInt256(500),
                            delegatorShare: UInt256(500), delegators: [("0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69", UInt256(500))]),
        RedemptionReverted(receipt: MinedReceipt(txHash: hash, block: 12, round: 3, gasUsed: 30_000, gasPrice: UInt256(7),
                                                 gasCost: UInt256(210_000)), tickets: 2, reason: "system-paused"),
        RedemptionFailed(txHash: hash, reason: "replaced"),
        RedemptionFailed(txHash: nil, reason: "not sent"),
        TicketRedeemed(ticketHash: hash, txHash: Keccak256.hash([3]), faceValue: UInt256(1_000), paidFromDeposit: UInt256(600),
                       paidFromReserve: UInt256(400)),
        TicketRedeemed(ticketHash: hash, txHash: Keccak256.hash([3]), faceValue: UInt256(1_000)),
        TicketExpired(ticketHash: hash, faceValue: UInt256(1_000), creationRound: 7, reason: String(repeating: "r", count: 500)),
        TicketExpired(ticketHash: hash, faceValue: UInt256(1_000), creationRound: 7),
        SegmentIngested(seq: 3, durationMs: 2_000, bytes: 123_456, dataHash: hash.hex, width: 1_280, height: 720),
        SegmentIngested(seq: 0, durationMs: 2_000, bytes: 1, dataHash: hash.hex),
        SegmentDispatched(seq: 3, orchestrator: "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69", attempt: 1, tickets: 4, transcoder: "t1"),
        SegmentDispatched(seq: 3, orchestrator: "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69", attempt: 2),
        SegmentDelivered(seq: 3, orchestrator: "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69", latencyMs: 412),
        SegmentFailed(seq: 3, orchestrator: "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69", attempt: 1, reason: "timeout", detail: "6 s",
                      final: false),
        SegmentFailed(seq: 3, orchestrator: nil, attempt: 4, reason: "unreachable", detail: nil, final: true),
        EthTransactionSigned(txHash: hash, from: .zero, to: .zero, nonce: 4, gasLimit: 300_000, maxFeePerGas: UInt256(9),
                             maxPriorityFeePerGas: UInt256(1), raw: [0x02, 0xf8], purpose: "batchRedeemWinningTickets"),
    ]

    static func check<Event: TypedEvent>(_ event: Event) throws {
        let definition = try #require(EventCatalog.definition(type: Event.type, version: Event.version), "\(Event.type) v\(Event.version)")
        #expect(definition.topic == Event.topic)
        #expect(definition.requiredKeys == Event.requiredKeys)
        var keys = EventKeys()
        for kind in Event.requiredKeys { keys[kind] = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69" }
        let envelope = event.envelope(id: "sample", keys: keys, timestamp: 1)
        try EventValidator.shared.validate(envelope)
        #expect(try Event(envelope: envelope) == event)
        // The payload's every field is read: dropping any one the schema requires is refused, naming it.
        guard case .object(let members) = event.payload else { Issue.record("not an object"); return }
        for name in members.keys {
            var cut = envelope
            var smaller = members
            smaller[name] = nil
            cut.payload = .object(smaller)
            let schemaAccepts = (try? EventValidator.shared.validate(cut)) != nil
            let typeAccepts = (try? Event(envelope: cut)) != nil
            #expect(schemaAccepts == typeAccepts, "\(Event.type): without \(name) the schema says \(schemaAccepts), the type \(typeAccepts)")
        }
    }

    @Test("every typed event matches its catalog entry and schema, and round-trips")
    func heldToTheCatalog() throws {
        for sample in Self.samples { try Self.check(sample) }
    }

    @Test("another event, a missing field and a mistyped field are typed refusals")
    func refusals() throws {
        let envelope = RedemptionReverted(receipt: MinedReceipt(txHash: Self.hash, block: 1, round: 1, gasUsed: 1, gasPrice: .one, gasCost: .one),
                                          tickets: 1, reason: "r").envelope(id: "x", keys: EventKeys(orchestrator: "o"), timestamp: 1)
        #expect(throws: TypedEventError.otherEvent(expected: "redemption.confirmed v2", found: "redemption.reverted v1")) {
            _ = try RedemptionConfirmed(envelope: envelope)
        }
        #expect(try RedemptionConfirmed.decoded(from: envelope) == nil)
        var broken = envelope
        broken.payload = ["txHash": .string(Self.hash.hex)]
        #expect(throws: TypedEventError.missingField(event: "redemption.reverted v1", field: "block")) { _ = try RedemptionReverted(envelope: broken) }
        broken.payload = ["txHash": "0x12"]
        #expect(throws: TypedEventError.wrongField(event: "redemption.reverted v1", field: "txHash", expected: "32-byte 0x-hex")) {
            _ = try RedemptionReverted(envelope: broken)
        }
    }
}
