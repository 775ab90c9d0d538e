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
        var renditions: [JSONValue] = []
        for (name, width, height) in profiles {
            let hash = Keccak256.hash(Array("\(stream) \(segment) \(name) by \(address)".utf8))
            hashes.append(hash)
            let pixels = width * height * 60 * (tampered ? 2 : 1)
            renditions.append(["profile": .string(name), "width": .integer(width), "height": .integer(height),
                               "frames": 60, "pixels": .integer(pixels), "dataHash": .string(hash.hex)])
        }
        let resultSig = try orchestrator.signMessage(Keccak256.hash(hashes.flatMap(\.bytes)).bytes)
        builder.add("segment.transcoded", .transcodeResults, keys,
                    ["seq": .integer(Int64(segment)), "orchestrator": .string(address), "renditions": .array(renditions),
                     "sig": .string(resultSig.hex), "elapsedMs": 610])
        if tampered {
            builder.add("verification.failed", .verification, keys,
                        ["seq": .integer(Int64(segment)), "orchestrator": .string(address), "check": "pixels",
                         "evidence": ["segmentHash": .string(segmentHash.hex), "resultSig": .string(resultSig.hex),
                                      "renditionHashes": .array(hashes.map { .string($0.hex) }),
                                      "reportedPixels": .integer(426 * 240 * 120), "measuredPixels": .integer(426 * 240 * 60),
                                      "detail": "P240p30fps16x9 reports twice the decoded pixel count"]])
            builder.add("orchestrator.suspended", .negotiation, EventKeys(stream: stream, orchestrator: address),
                        ["orchestrator": .string(address), "reason": "verification-failed", "penaltySegments": 30])
            builder.add("segment.failed", .segments, keys,
                        ["seq": .integer(Int64(segment)), "orchestrator": .string(address), "attempt": 1,
                         "reason": "verification-failed", "final": false])
            return
        }
        builder.add("verification.passed", .verification, keys,
                    ["seq": .integer(Int64(segment)), "orchestrator": .string(address), "checks": ["signature", "pixels"],
                     "pixels": .integer((426 * 240 + 640 * 360) * 60)])
        builder.add("segment.delivered", .segments, keys,
                    ["seq": .integer(Int64(segment)), "orchestrator": .string(address), "latencyMs": 750])
    }

    /// Winning tickets, one batch redemption, and a replayed nonce refused.
    static func addRedemptions(_ builder: inout ScenarioBuilder, winners: [(Ticket, PrivateKey, String)],
                               broadcaster: PrivateKey) throws {
        let sender = broadcaster.address.checksummed
        for (ticket, orchestrator, _) in winners {
            let keys = EventKeys(orchestrator: orchestrator.address.checksummed, sender: sender)
            var json = ticket.json
            if case .object(var object) = json {
                object["sig"] = .string(try broadcaster.signMessage(ticket.hash.bytes).hex)
                json = .object(object)
            }
            builder.add("ticket.won", .tickets, keys,
                        ["ticket": json, "ticketHash": .string(ticket.hash.hex),
                         "recipientRand": .string(UInt256(UInt64(ticket.senderNonce) &* 7919).description)])
        }
        let byOrchestrator = Dictionary(grouping: winners, by: { $0.1.address.checksummed })
        for orchestrator in byOrchestrator.keys.sorted() {
            let tickets = byOrchestrator[orchestrator]!.map(\.0)
            let txHash = Keccak256.hash(Array("redeem \(orchestrator)".utf8))
            let total = UInt64(tickets.count) * 1_000_000_000_000
            builder.add("redemption.submitted", .settlement, EventKeys(orchestrator: orchestrator),
                        ["txHash": .string(txHash.hex), "tickets": .array(tickets.map { .string($0.hash.hex) }),
                         "gasPrice": "1000000000", "gasLimit": .integer(Int64(50_000 + 80_000 * tickets.count)),
                         "faceValue": .string(String(total))])
            builder.add("redemption.confirmed", .settlement, EventKeys(orchestrator: orchestrator),
                        ["txHash": .string(txHash.hex), "block": 5800, "gasUsed": .integer(Int64(40_000 + 75_000 * tickets.count)),
                         "gasCost": .string(String(UInt64(40_000 + 75_000 * tickets.count) * 1_000_000_000)),
                         "redeemed": .integer(Int64(tickets.count)), "amount": .string(String(total))])
            for ticket in tickets {
                builder.add("ticket.redeemed", .tickets, EventKeys(orchestrator: orchestrator, sender: sender),
                            ["ticketHash": .string(ticket.hash.hex), "txHash": .string(txHash.hex),
                             "faceValue": "1000000000000", "paidFromDeposit": "1000000000000", "paidFromReserve": "0"])
            }
        }
        if let (ticket, orchestrator, _) = winners.first {
            builder.add("ticket.rejected", .tickets, EventKeys(orchestrator: orchestrator.address.checksummed, sender: sender),
                        ["ticketHash": .string(ticket.hash.hex), "senderNonce": .integer(Int64(ticket.senderNonce)),
                         "reason": "nonce-replayed", "detail": "nonce already seen for this recipientRand"])
        }
    }
}

/// Collects scenario events with ids and timestamps that follow from their order.
struct ScenarioBuilder {
    private(set) var events: [EventEnvelope] = []
    private var time: Int64

    init(start: Int64) { time = start }

    mutating func add(_ type: String, _ topic: Topic, _ keys: EventKeys, _ payload: JSONValue) {
        time += 250
        events.append(EventEnvelope(id: "ref-\(events.count + 1)-\(type)", type: type, version: 1, topic: topic, keys: keys,
                                    timestamp: time, payload: payload))
    }
}
