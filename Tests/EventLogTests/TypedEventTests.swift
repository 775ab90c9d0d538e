import EthCrypto
import EventModel
import EventSchemas
import JSONCore
import Payments
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
    ] + negotiation + segmentResults + verification + transcoders + fleet + settlement + tickets

    static let address = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"
    static let signature = try! Signature(bytes: [UInt8](repeating: 1, count: 64) + [27])

    static let negotiation: [any TypedEvent] = [
        OfferRequested(orchestratorURI: "https://orch.test:8935", broadcaster: address),
        OfferReceived(orchestratorURI: "https://orch.test:8935", orchestrator: address, pricePerUnit: 1_200, pixelsPerUnit: 1, latencyMs: 40,
                      faceValue: UInt256(1_000), winProb: UInt256(5), recipientRandHash: hash, seed: "0x01", expirationBlock: 90,
                      capacity: 8),
        OfferReceived(orchestratorURI: "https://orch.test:8935", orchestrator: address, pricePerUnit: 0, pixelsPerUnit: 1, latencyMs: 3),
        SessionOpened(orchestrator: address, orchestratorURI: "https://orch.test:8935", pricePerUnit: 1_200, pixelsPerUnit: 1,
                      profiles: ["P240p30fps16x9"]),
        SessionClosed(reason: "stream-ended", segments: 10),
        SessionClosed(reason: "error"),
        OrchestratorSuspended(orchestrator: address, reason: "timeout", penaltySegments: 30, detail: "6 s"),
        OrchestratorSuspended(orchestrator: address, reason: "verification-failed", penaltySegments: 30),
    ]

    static let segmentResults: [any TypedEvent] = [
        SegmentTranscoded(seq: 3, orchestrator: address,
                          renditions: [SegmentRendition(profile: "P240p30fps16x9", width: 426, height: 240, frames: 60, pixels: 6_134_400,
                                                           dataHash: hash.hex, url: "http://o/3.ts")],
                          sig: signature.hex, transcoder: "t1", elapsedMs: 610),
        SegmentTranscoded(seq: 3, orchestrator: address,
                          renditions: [SegmentRendition(profile: "P240p30fps16x9", width: 426, height: 240, pixels: 1, dataHash: hash.hex)],
                          sig: signature.hex),
        SegmentRefused(seq: 3, status: 402, reason: "payment-failed", detail: "no credit", sender: address),
        SegmentRefused(seq: nil, status: 400, reason: "unparsable-segment", detail: "", sender: nil),
    ]

    static let verification: [any TypedEvent] = [
        VerificationPassed(seq: 3, orchestrator: address, checks: ["signature", "pixels"], pixels: 9_000),
        VerificationPassed(seq: 3, orchestrator: address, checks: ["signature"]),
        VerificationFailed(seq: 3, orchestrator: address, check: "pixels",
                           evidence: FailedCheckEvidence(segmentHash: hash.hex, resultSig: signature.hex, renditionHashes: [hash.hex],
                                                         reportedPixels: 2, measuredPixels: 1, psnrMillidecibels: 30_000, detail: "twice")),
        VerificationFailed(seq: 3, orchestrator: address, check: "signature", evidence: FailedCheckEvidence(segmentHash: hash.hex)),
    ]

    static let transcoders: [any TypedEvent] = [
        TranscoderRegistered(transcoder: "t1", capacity: 4, kind: "local", encoder: "libx264"),
        TranscoderRegistered(transcoder: "t1", capacity: 1, kind: "remote"),
        TranscoderLost(transcoder: "t1", reason: "disconnected"),
        TaskAssigned(taskId: 7, seq: 3, transcoder: "t1", attempt: 1),
        TaskCompleted(taskId: 7, transcoder: "t1", elapsedMs: 500, pixels: 9_000),
        TaskFailed(taskId: 7, transcoder: "t1", reason: "timeout", detail: "6 s", final: false),
        TaskFailed(taskId: 7, transcoder: "t1", reason: "error", detail: nil, final: true),
    ]

    static let fleet: [any TypedEvent] = [
        TranscodeRequested(request: "r1", seq: 3, durationMs: 2_000,
                           profiles: [FleetProfile(name: "P240p30fps16x9", width: 426, height: 240, bitrate: 600_000, fps: 30)],
                           source: FleetDataReference(bytes: 10, dataHash: hash.hex, inline: true)),
        TranscodeCompleted(request: "r1", seq: 3, worker: "w1", elapsedMs: 300,
                           renditions: [FleetRendition(profile: "P240p30fps16x9", pixels: 9_000,
                                                       data: FleetDataReference(bytes: 2_000_000, dataHash: hash.hex, inline: false,
                                                                                storeName: "r1-P240p30fps16x9"))]),
        TranscodeFailed(request: "r1", seq: 3, worker: "w1", reason: "missing-data", detail: "no header"),
        BusDeadLettered(sourceTopic: "streamflow.segments", partition: 0, offset: 12, consumer: "log-sink", bytes: 40, reason: "schema",
                        detail: "missing seq"),
        LogCheckpointSigned(sequence: 12, headHash: hash, signer: try! Address(address), sig: signature),
    ]

    static let settlement: [any TypedEvent] = [
        ChainTransactionRan(id: "tx-1", from: try! Address(address), kind: "fund-deposit", block: 3, gasUsed: 21_000,
                            gasCost: UInt256(21_000), accepted: true, amount: UInt256(1_000)),
        ChainTransactionRan(id: "tx-2", from: .zero, kind: "redeem", block: 3, gasUsed: 21_000, gasCost: UInt256(21_000), accepted: false,
                            reason: "ticket-expired"),
        DepositFunded(sender: try! Address(address), amount: UInt256(1_000), deposit: UInt256(3_000)),
        ReserveFunded(sender: try! Address(address), amount: UInt256(500), reserve: UInt256(500)),
        RoundStarted(round: 4, block: 400, blockHash: hash),
        FeesCredited(orchestrator: try! Address(address), round: 4, amount: UInt256(1_000), orchestratorShare: UInt256(900),
                     delegatorShare: UInt256(100)),
        RedemptionConfirmedV1(txHash: hash, block: 5_800, gasUsed: 115_000, gasCost: UInt256(115_000), redeemed: 1, amount: UInt256(1_000)),
    ]

    static let ticket = Ticket(recipient: try! Address(address), sender: .zero, faceValue: UInt256(1_000), winProb: UInt256(5),
                               senderNonce: 3, recipientRandHash: hash, creationRound: 4, creationRoundBlockHash: Keccak256.hash([4]))
    static let signed = SignedTicket(ticket: ticket, sig: signature.bytes)

    static let tickets: [any TypedEvent] = [
        TicketIssued(ticket: signed, ticketHash: hash, ev: UInt256(50), segmentSeq: 3),
        TicketIssued(ticket: signed, ticketHash: hash, ev: UInt256(50)),
        TicketReceived(ticket: signed, ticketHash: hash, ev: UInt256(50)),
        PaymentReceived(payment: PaymentEvent.ReceivedPayment(
            terms: ticket, tickets: [TicketSenderParams(senderNonce: 3, sig: signature.bytes), TicketSenderParams(senderNonce: 4, sig: signature.bytes)],
            expectedValue: UInt256(50))),
        TicketWon(ticket: signed, ticketHash: hash, recipientRand: UInt256(7_919)),
        TicketRejected(reason: .nonceReplayed, detail: "seen", ticketHash: hash, senderNonce: 3),
        TicketRejected(reason: .malformed, detail: nil),
        FeeDebited(segmentSeq: 3, pixels: 9_000, price: try! PriceInfo(pricePerUnit: UInt256(1_200), pixelsPerUnit: UInt256(1)),
                   fee: UInt256(10_800_000)),
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

    /// Catalog entries with no typed declaration on purpose, each with why (none today).
    static let untyped: [String: String] = [:]

    @Test("every catalog entry has a typed declaration among the samples")
    func catalogIsTyped() {
        let declared = Set(Self.samples.map { Self.name(of: $0) })
        for definition in EventCatalog.definitions {
            let name = "\(definition.type) v\(definition.version)"
            #expect(declared.contains(name) || Self.untyped[name] != nil, "\(name) is in the catalog but has no TypedEvent declaration")
        }
        for name in Self.untyped.keys { #expect(!declared.contains(name), "\(name) is typed now: take it off the exceptions") }
    }

    static func name<Event: TypedEvent>(of event: Event) -> String { "\(Event.type) v\(Event.version)" }

    @Test("a consumer of confirmations reads both versions")
    func confirmationVersions() throws {
        let keys = EventKeys(orchestrator: Self.address)
        let v1 = RedemptionConfirmedV1(txHash: Self.hash, block: 9, gasUsed: 1, gasCost: .one, redeemed: 2, amount: UInt256(2_000))
        let read = try #require(try RedemptionConfirmation.decoded(from: v1.envelope(id: "a", keys: keys, timestamp: 1)))
        #expect(read == .v1(v1) && read.txHash == Self.hash && read.redeemed == 2 && read.amount == UInt256(2_000))
        let v2 = try #require(Self.samples.compactMap { $0 as? RedemptionConfirmed }.first)
        #expect(try RedemptionConfirmation.decoded(from: v2.envelope(id: "b", keys: keys, timestamp: 1)) == .v2(v2))
        #expect(try RedemptionConfirmation.decoded(from: RoundStarted(round: 1, block: 1, blockHash: Self.hash)
            .envelope(id: "c", keys: EventKeys(), timestamp: 1)) == nil)
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
