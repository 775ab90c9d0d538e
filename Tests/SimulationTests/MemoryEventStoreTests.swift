import EthCrypto
import EventModel
import EventSchemas
import JSONCore
@testable import MarketSimulation
import Payments
import Settlement
import Testing

/// The in-memory event store keeps the log's contract: schema-checked, idempotent on the event id, hash-chained,
/// durable on `persist`, durable on `emit` only at the group commit, bounded.
@Suite("memory event store")
struct MemoryEventStoreTests {
    static func event(_ id: String, seq: Int64 = 1) -> EventEnvelope {
        SegmentIngested(seq: seq, durationMs: 2_000, bytes: 10, dataHash: Keccak256.hash([UInt8(truncatingIfNeeded: seq)]).hex)
            .envelope(id: id, keys: EventKeys(stream: "s"), timestamp: 1)
    }

    @Test("persist is durable, emit waits for the commit, a crash loses only what was not committed")
    func commitAndCrash() async throws {
        let store = MemoryEventStore()
        try await store.persist([Self.event("a")])
        store.emit([Self.event("b", seq: 2), Self.event("c", seq: 3)])
        #expect(store.head.sequence == 1)
        #expect(store.commit() == 2)
        store.emit([Self.event("d", seq: 4)])
        #expect(store.crash() == 1)
        #expect(store.records.map(\.envelope.id) == ["a", "b", "c"])
        // persist stores what was emitted before it first, in order.
        store.emit([Self.event("e", seq: 5)])
        try await store.persist([Self.event("f", seq: 6)])
        #expect(store.records.map(\.envelope.id) == ["a", "b", "c", "e", "f"])
        #expect(store.chainBreak() == nil)
        #expect(store.records.last?.previousHash == store.records.dropLast().last?.hash)
    }

    @Test("an append of an id already stored changes nothing; a schema-invalid event is refused and counted")
    func idempotentAndChecked() async throws {
        let store = MemoryEventStore()
        try await store.persist([Self.event("a"), Self.event("a")])
        try await store.persist([Self.event("a")])
        #expect(store.head.sequence == 1)
        var bad = Self.event("x")
        bad = EventEnvelope(id: bad.id, type: bad.type, version: 1, topic: bad.topic, keys: bad.keys, timestamp: 1, payload: ["seq": "one"])
        await #expect(throws: EventSinkError.self) { try await store.persist([bad]) }
        store.emit([bad])
        #expect(store.failureCount == 1)
        #expect(store.lastFailure?.contains("x") == true)
        #expect(store.head.sequence == 1)
    }

    @Test("the bound: the event past capacity is refused notDurable, the ones before it are kept")
    func bound() async throws {
        let store = MemoryEventStore(capacity: 2)
        await #expect(throws: EventSinkError.notDurable("the in-memory log is full (2 events)")) {
            try await store.persist([Self.event("a", seq: 1), Self.event("b", seq: 2), Self.event("c", seq: 3)])
        }
        #expect(store.records.map(\.envelope.id) == ["a", "b"])
        store.emit([Self.event("d", seq: 4)])
        #expect(store.commit() == 0)
        #expect(store.failureCount == 1)
    }

    @Test("the late-duplicate queue is bounded: past it, messages are refused and counted")
    func delayedQueueBound() async throws {
        var rates = FaultRates()
        rates.delayedDuplicate = 1
        let clock = VirtualClock(start: 0)
        let network = SimulatedNetwork(orchestrators: [], faults: FaultPlan(rates: rates, seed: 1), clock: clock)
        for _ in 0..<(SimulatedNetwork.delayedCapacity + 5) { network.setAside(url: "u", segment: "s", payment: "p", body: []) }
        #expect(network.counts.delayedDuplicates == SimulatedNetwork.delayedCapacity)
        #expect(network.counts.delayedRefused == 5)
    }
}
