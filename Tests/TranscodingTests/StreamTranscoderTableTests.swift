import Synchronization
import Testing
@testable import Transcoding

/// The bounded table of per-stream transcoders: idle streams release their encoders, a full table of busy
/// streams refuses a new one, and the least recently used idle stream makes room.
@Suite("Stream transcoder table")
struct StreamTranscoderTableTests {
    /// A clock the test moves by hand (milliseconds).
    final class ManualClock: Sendable {
        let value = Atomic<UInt64>(1_000)
        func advance(_ ms: UInt64) { value.add(ms, ordering: .relaxed) }
        var now: @Sendable () -> UInt64 { { self.value.load(ordering: .relaxed) } }
    }

    static let ladder = try! VideoProfile.parseList("P144p30fps16x9")

    func acquire(_ table: StreamTranscoderTable, _ key: String) throws(StreamTranscoderTable.Refusal) -> StreamTranscoderTable.Lease {
        try table.acquire(key, queueLabel: key) { () throws(TranscodeError) in try StreamTranscoder(profiles: Self.ladder) }
    }

    @Test("a stream idle for the timeout gives its transcoder back; one in use keeps it")
    func idleRelease() throws {
        let clock = ManualClock()
        let table = StreamTranscoderTable(limits: .init(maxStreams: 8, idleTimeoutMs: 60_000), now: clock.now)
        let a = try acquire(table, "a"), b = try acquire(table, "b")
        table.release(a)
        clock.advance(59_999)
        #expect(table.releaseIdle() == 0 && table.count == 2)
        clock.advance(1)
        #expect(table.releaseIdle() == 1 && table.count == 1, "a is released; b is mid-segment and kept")
        clock.advance(600_000)
        #expect(table.releaseIdle() == 0 && table.count == 1)
        table.release(b)
        clock.advance(60_000)
        #expect(table.releaseIdle() == 1 && table.count == 0)
        let again = try acquire(table, "a")
        #expect(again.transcoder !== a.transcoder, "a stream back after its release gets new encoders")
    }

    @Test("the same stream reuses its transcoder and queue")
    func reuse() throws {
        let table = StreamTranscoderTable(limits: .init(maxStreams: 2), now: ManualClock().now)
        let first = try acquire(table, "a")
        table.release(first)
        let second = try acquire(table, "a")
        #expect(second.transcoder === first.transcoder && second.queue === first.queue && table.count == 1)
    }

    @Test("a full table evicts the least recently used idle stream, and refuses when every stream is busy")
    func cap() throws {
        let clock = ManualClock()
        let table = StreamTranscoderTable(limits: .init(maxStreams: 2, idleTimeoutMs: 3_600_000), now: clock.now)
        let a = try acquire(table, "a")
        clock.advance(10)
        let b = try acquire(table, "b")
        #expect(throws: StreamTranscoderTable.Refusal.full(limit: 2)) { try acquire(table, "c") }
        #expect(table.count == 2, "a refusal changes nothing")
        table.release(b)
        clock.advance(10)
        table.release(a)
        let c = try acquire(table, "c")
        #expect(table.count == 2)
        table.release(c)
        let a2 = try acquire(table, "a")
        #expect(a2.transcoder === a.transcoder, "b (released first) was evicted, a kept its encoders")
    }

    @Test("a ladder that cannot be made is a typed refusal and leaves nothing behind")
    func cannotCreate() {
        let table = StreamTranscoderTable(now: ManualClock().now)
        #expect(throws: StreamTranscoderTable.Refusal.cannotCreate(TranscodeError.noProfiles.description)) {
            try table.acquire("a", queueLabel: "a") { () throws(TranscodeError) in try StreamTranscoder(profiles: []) }
        }
        #expect(table.count == 0)
    }
}
