import EthCrypto
public import EventModel
import JSONCore
import Payments

/// The recorded reference scenario in Replay/: two streams, three orchestrators, signed tickets and
/// signed results, one tampered result caught by the pixel check (evidence, suspension, retry on
/// another orchestrator), winners redeemed. Deterministic: keys and values derive from names.
public enum ReferenceScenario {
    public static let streams = ["stream-alpha", "stream-beta"]
    static let segmentsPerStream = 6
    static let faceValue = UInt256(1_000_000_000_000)
    static let winProb = try! UInt256(decimal: "5789604461865809771178549250434395392663499233282028201972879200395660")

    /// A key derived from a name (keccak256 of it), so every run signs the same bytes.
    static func key(_ name: String) -> PrivateKey {
        try! PrivateKey(bytes: Keccak256.hash(Array("streamflow reference scenario \(name)".utf8)).bytes)
    }

    public static func events() throws -> [EventEnvelope] {
        var builder = ScenarioBuilder(start: 1_767_225_600_000)
        let broadcaster = key("broadcaster")
        let orchestrators = ["orch-1", "orch-2", "orch-3"].map { key($0) }
        let sender = broadcaster.address.checksummed
        let blockHash = Keccak256.hash(Array("block 5760".utf8))
        builder.add(RoundStarted(round: 1, block: 5760, blockHash: blockHash), EventKeys())
        let deposit = UInt256(1_000_000_000_000_000_000 as UInt64), reserve = UInt256(500_000_000_000_000_000 as UInt64)
        builder.add(DepositFunded(sender: broadcaster.address, amount: deposit, deposit: deposit), EventKeys(sender: sender))
        builder.add(ReserveFunded(sender: broadcaster.address, amount: reserve, reserve: reserve), EventKeys(sender: sender))
        for (index, orchestrator) in orchestrators.enumerated() {
            for worker in 0..<2 {
                builder.add(TranscoderRegistered(transcoder: "orch-\(index + 1)-t\(worker)", capacity: 4, kind: "local", encoder: "libx264"),
                            EventKeys(orchestrator: orchestrator.address.checksummed))
            }
        }
        var nonce: UInt32 = 0
        var winners: [(Ticket, PrivateKey)] = []
        for (streamIndex, stream) in streams.enumerated() {
            let primary = orchestrators[streamIndex]
            for orchestrator in orchestrators {
                builder.add(OfferRequested(orchestratorURI: uri(orchestrator), broadcaster: sender), EventKeys(stream: stream))
                builder.add(OfferReceived(orchestratorURI: uri(orchestrator), orchestrator: orchestrator.address.checksummed, pricePerUnit: 1200,
                                          pixelsPerUnit: 1, latencyMs: 40, faceValue: faceValue, winProb: winProb, capacity: 8),
                            EventKeys(stream: stream, orchestrator: orchestrator.address.checksummed))
            }
            let session = "\(stream)-s1"
            builder.add(SessionOpened(orchestrator: primary.address.checksummed, orchestratorURI: uri(primary), pricePerUnit: 1200,
                                      pixelsPerUnit: 1, profiles: ["P240p30fps16x9", "P360p30fps16x9"]),
                        EventKeys(stream: stream, session: session, orchestrator: primary.address.checksummed))
            for segment in 0..<segmentsPerStream {
                let segmentHash = Keccak256.hash(Array("\(stream) segment \(segment)".utf8))
                builder.add(SegmentIngested(seq: Int64(segment), durationMs: 2000, bytes: Int64(180_000 + segment * 1_000),
                                            dataHash: segmentHash.hex, width: 1280, height: 720), EventKeys(stream: stream))
                let tampered = streamIndex == 1 && segment == 3
                var attempt = 1
                var workers = [primary]
                if tampered { workers.append(orchestrators[0]) }
                for worker in workers {
                    nonce += 1
                    let ticket = makeTicket(sender: broadcaster, recipient: worker, nonce: nonce, blockHash: blockHash)
                    let signed = SignedTicket(ticket: ticket, sig: try broadcaster.signMessage(ticket.hash.bytes).bytes)
                    let ticketKeys = EventKeys(stream: stream, orchestrator: worker.address.checksummed, sender: sender)
                    builder.add(TicketIssued(ticket: signed, ticketHash: ticket.hash, ev: UInt256(50_000), segmentSeq: UInt64(segment)),
                                ticketKeys)
                    builder.add(SegmentDispatched(seq: Int64(segment), orchestrator: worker.address.checksummed, attempt: Int64(attempt),
                                                  tickets: 1),
                                EventKeys(stream: stream, orchestrator: worker.address.checksummed))
                    builder.add(TicketReceived(ticket: signed, ticketHash: ticket.hash, ev: UInt256(50_000)), ticketKeys)
                    if segment % 3 == 2 && worker.address == primary.address { winners.append((ticket, worker)) }
                    let isBad = tampered && attempt == 1
                    try addResult(&builder, stream: stream, segment: segment, orchestrator: worker, segmentHash: segmentHash,
                                  tampered: isBad)
                    attempt += 1
                }
            }
            builder.add(SessionClosed(reason: "stream-ended", segments: Int64(segmentsPerStream)), EventKeys(stream: stream, session: session))
        }
        try addRedemptions(&builder, winners: winners, broadcaster: broadcaster)
        return builder.events
    }

    static func uri(_ key: PrivateKey) -> String { "https://\(key.address.lowercased.dropFirst(2).prefix(8)).orch.test:8935" }

    static func makeTicket(sender: PrivateKey, recipient: PrivateKey, nonce: UInt32, blockHash: Hash32) -> Ticket {
        let rand = UInt256(UInt64(nonce) &* 7919)
        return Ticket(recipient: recipient.address, sender: sender.address, faceValue: faceValue, winProb: winProb,
                      senderNonce: nonce, recipientRandHash: Keccak256.hash(rand.bigEndianBytes), creationRound: 1,
                      creationRoundBlockHash: blockHash)
    }
}
