import EthCrypto
import EventModel
import JSONCore
import Payments

extension ReferenceScenario {
    /// Renditions, the orchestrator's signature over them, and the broadcaster's verdict.
    static func addResult(_ builder: inout ScenarioBuilder, stream: String, segment: Int, orchestrator: PrivateKey,
                          segmentHash: Hash32, tampered: Bool) throws {
        let address = orchestrator.address.checksummed
        let keys = EventKeys(stream: stream, orchestrator: address)
        let profiles: [(String, Int64, Int64)] = [("P240p30fps16x9", 426, 240), ("P360p30fps16x9", 640, 360)]
        var hashes: [Hash32] = []
        var renditions: [SegmentRendition] = []
        for (name, width, height) in profiles {
            let hash = Keccak256.hash(Array("\(stream) \(segment) \(name) by \(address)".utf8))
            hashes.append(hash)
            let pixels = width * height * 60 * (tampered ? 2 : 1)
            renditions.append(SegmentRendition(profile: name, width: width, height: height, frames: 60, pixels: pixels, dataHash: hash.hex))
        }
        let resultSig = try orchestrator.signMessage(Keccak256.hash(hashes.flatMap(\.bytes)).bytes)
        let seq = Int64(segment)
        builder.add(SegmentTranscoded(seq: seq, orchestrator: address, renditions: renditions, sig: resultSig.hex, elapsedMs: 610), keys)
        if tampered {
            builder.add(VerificationFailed(seq: seq, orchestrator: address, check: "pixels", evidence: FailedCheckEvidence(
                segmentHash: segmentHash.hex, resultSig: resultSig.hex, renditionHashes: hashes.map(\.hex),
                reportedPixels: 426 * 240 * 120, measuredPixels: 426 * 240 * 60,
                detail: "P240p30fps16x9 reports twice the decoded pixel count")), keys)
            builder.add(OrchestratorSuspended(orchestrator: address, reason: "verification-failed", penaltySegments: 30),
                        EventKeys(stream: stream, orchestrator: address))
            builder.add(SegmentFailed(seq: seq, orchestrator: address, attempt: 1, reason: "verification-failed", detail: nil, final: false),
                        keys)
            return
        }
        builder.add(VerificationPassed(seq: seq, orchestrator: address, checks: ["signature", "pixels"], pixels: (426 * 240 + 640 * 360) * 60),
                    keys)
        builder.add(SegmentDelivered(seq: seq, orchestrator: address, latencyMs: 750), keys)
    }

    /// Winning tickets, one batch redemption, and a replayed nonce refused.
    static func addRedemptions(_ builder: inout ScenarioBuilder, winners: [(Ticket, PrivateKey)], broadcaster: PrivateKey) throws {
        let sender = broadcaster.address.checksummed
        for (ticket, orchestrator) in winners {
            let signed = SignedTicket(ticket: ticket, sig: try broadcaster.signMessage(ticket.hash.bytes).bytes)
            builder.add(TicketWon(ticket: signed, ticketHash: ticket.hash, recipientRand: UInt256(UInt64(ticket.senderNonce) &* 7919)),
                        EventKeys(orchestrator: orchestrator.address.checksummed, sender: sender))
        }
        let byOrchestrator = Dictionary(grouping: winners, by: { $0.1.address.checksummed })
        for orchestrator in byOrchestrator.keys.sorted() {
            let tickets = byOrchestrator[orchestrator]!.map(\.0)
            let txHash = Keccak256.hash(Array("redeem \(orchestrator)".utf8))
            let total = UInt256(UInt64(tickets.count) * 1_000_000_000_000)
            let gasUsed = UInt64(40_000 + 75_000 * tickets.count)
            builder.add(RedemptionSubmitted(txHash: txHash, tickets: tickets.map(\.hash), gasPrice: UInt256(1_000_000_000),
                                            gasLimit: UInt64(50_000 + 80_000 * tickets.count), faceValue: total),
                        EventKeys(orchestrator: orchestrator))
            builder.add(RedemptionConfirmedV1(txHash: txHash, block: 5800, gasUsed: gasUsed, gasCost: UInt256(gasUsed * 1_000_000_000),
                                              redeemed: tickets.count, amount: total),
                        EventKeys(orchestrator: orchestrator))
            for ticket in tickets {
                builder.add(TicketRedeemed(ticketHash: ticket.hash, txHash: txHash, faceValue: faceValue, paidFromDeposit: faceValue,
                                           paidFromReserve: .zero),
                            EventKeys(orchestrator: orchestrator, sender: sender))
            }
        }
        if let (ticket, orchestrator) = winners.first {
            builder.add(TicketRejected(reason: .nonceReplayed, detail: "nonce already seen for this recipientRand", ticketHash: ticket.hash,
                                       senderNonce: ticket.senderNonce),
                        EventKeys(orchestrator: orchestrator.address.checksummed, sender: sender))
        }
    }
}

/// Collects scenario events with ids and timestamps that follow from their order.
struct ScenarioBuilder {
    private(set) var events: [EventEnvelope] = []
    private var time: Int64

    init(start: Int64) { time = start }

    mutating func add<Event: TypedEvent>(_ event: Event, _ keys: EventKeys) {
        time += 250
        events.append(event.envelope(id: "ref-\(events.count + 1)-\(Event.type)", keys: keys, timestamp: time))
    }
}
