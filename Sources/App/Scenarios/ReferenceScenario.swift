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
        builder.add("round.started", .settlement, EventKeys(),
                    ["round": 1, "block": 5760, "blockHash": .string(blockHash.hex)])
        builder.add("deposit.funded", .settlement, EventKeys(sender: sender),
                    ["sender": .string(sender), "amount": "1000000000000000000", "deposit": "1000000000000000000"])
        builder.add("reserve.funded", .settlement, EventKeys(sender: sender),
                    ["sender": .string(sender), "amount": "500000000000000000", "reserve": "500000000000000000"])
        for (index, orchestrator) in orchestrators.enumerated() {
            for worker in 0..<2 {
                builder.add("transcoder.registered", .transcoders, EventKeys(orchestrator: orchestrator.address.checksummed),
                            ["transcoder": .string("orch-\(index + 1)-t\(worker)"), "capacity": 4, "kind": "local",
                             "encoder": "libx264"])
            }
        }
        var nonce: UInt32 = 0
        var winners: [(Ticket, PrivateKey, String)] = []
        for (streamIndex, stream) in streams.enumerated() {
            let primary = orchestrators[streamIndex]
            for orchestrator in orchestrators {
                builder.add("offer.requested", .negotiation, EventKeys(stream: stream),
                            ["orchestratorURI": .string(uri(orchestrator)), "broadcaster": .string(sender)])
                builder.add("offer.received", .negotiation, EventKeys(stream: stream, orchestrator: orchestrator.address.checksummed),
                            ["orchestratorURI": .string(uri(orchestrator)), "orchestrator": .string(orchestrator.address.checksummed),
                             "pricePerUnit": 1200, "pixelsPerUnit": 1, "faceValue": "1000000000000",
                             "winProb": "5789604461865809771178549250434395392663499233282028201972879200395660",
                             "latencyMs": 40, "capacity": 8])
            }
            let session = "\(stream)-s1"
            builder.add("session.opened", .negotiation, EventKeys(stream: stream, session: session, orchestrator: primary.address.checksummed),
                        ["orchestrator": .string(primary.address.checksummed), "orchestratorURI": .string(uri(primary)),
                         "pricePerUnit": 1200, "pixelsPerUnit": 1, "profiles": ["P240p30fps16x9", "P360p30fps16x9"]])
            for segment in 0..<segmentsPerStream {
                let segmentHash = Keccak256.hash(Array("\(stream) segment \(segment)".utf8))
                builder.add("segment.ingested", .segments, EventKeys(stream: stream),
                            ["seq": .integer(Int64(segment)), "durationMs": 2000, "bytes": .integer(Int64(180_000 + segment * 1_000)),
                             "dataHash": .string(segmentHash.hex), "width": 1280, "height": 720])
                let tampered = streamIndex == 1 && segment == 3
                var attempt = 1
                var workers = [primary]
                if tampered { workers.append(orchestrators[0]) }
                for worker in workers {
                    nonce += 1
                    let ticket = makeTicket(sender: broadcaster, recipient: worker, nonce: nonce, blockHash: blockHash)
                    let signature = try broadcaster.signMessage(ticket.hash.bytes)
                    var ticketJSON = ticket.json
                    if case .object(var object) = ticketJSON {
                        object["sig"] = .string(signature.hex)
                        ticketJSON = .object(object)
                    }
                    let ticketKeys = EventKeys(stream: stream, orchestrator: worker.address.checksummed, sender: sender)
                    builder.add("ticket.issued", .tickets, ticketKeys,
                                ["ticket": ticketJSON, "ticketHash": .string(ticket.hash.hex), "segmentSeq": .integer(Int64(segment)),
                                 "ev": "50000"])
                    builder.add("segment.dispatched", .segments, EventKeys(stream: stream, orchestrator: worker.address.checksummed),
                                ["seq": .integer(Int64(segment)), "orchestrator": .string(worker.address.checksummed),
                                 "attempt": .integer(Int64(attempt)), "tickets": 1])
                    builder.add("ticket.received", .tickets, ticketKeys,
                                ["ticket": ticketJSON, "ticketHash": .string(ticket.hash.hex), "ev": "50000"])
                    if segment % 3 == 2 && worker.address == primary.address { winners.append((ticket, worker, ticketJSON.description)) }
                    let isBad = tampered && attempt == 1
                    try addResult(&builder, stream: stream, segment: segment, orchestrator: worker, segmentHash: segmentHash,
                                  tampered: isBad)
                    attempt += 1
                }
            }
            builder.add("session.closed", .negotiation, EventKeys(stream: stream, session: session),
                        ["reason": "stream-ended", "segments": .integer(Int64(segmentsPerStream))])
        }
        try addRedemptions(&builder, winners: winners, broadcaster: broadcaster)
        return builder.events
    }

    static func uri(_ key: PrivateKey) -> String { "https://\(key.address.lowercased.dropFirst(2).prefix(8)).orch.test:8935" }

    static func makeTicket(sender: PrivateKey, recipient: PrivateKey, nonce: UInt32, blockHash: Hash32) -> Ticket {
        let rand = UInt256(UInt64(nonce) &* 7919)
        return Ticket(recipient: recipient.address, sender: sender.address, faceValue: UInt256(1_000_000_000_000),
                      winProb: try! UInt256(decimal: "5789604461865809771178549250434395392663499233282028201972879200395660"),
                      senderNonce: nonce, recipientRandHash: Keccak256.hash(rand.bigEndianBytes), creationRound: 1,
                      creationRoundBlockHash: blockHash)
    }
}
