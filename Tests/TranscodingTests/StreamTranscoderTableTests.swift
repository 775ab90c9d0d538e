import Synchronization
import Testing
import Foundation
import TestSupport
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

/// A transcode given up mid-segment stops between packets, and its stream transcodes the next segment whole.
@Suite("stopping a transcode")
struct StopTranscodeTests {
    @Test("stop raised after 10 packets → .cancelled; the same stream's next segment has every frame, checked by ffprobe")
    func stopMidSegment() throws {
        let fixture = try MediaFixture()
        defer { fixture.remove() }
        let input = try fixture.source("two.ts", width: 320, height: 180, seconds: 2, audio: false)
        let transcoder = try StreamTranscoder(profiles: try VideoProfile.parseList("P144p30fps16x9"))
        let segment = SourceSegment(index: 0, path: input, start: 0, duration: 2, videoPackets: 0)
        var asked = 0
        #expect(throws: TranscodeError.cancelled) {
            try transcoder.transcode(segment, stop: { asked += 1; return asked > 10 }) { _, _ in fixture.path("stopped.ts") }
        }
        #expect(asked == 11, "asked once per packet, stopped at once")
        let next = SourceSegment(index: 1, path: input, start: 0, duration: 2, videoPackets: 0)
        let result = try transcoder.transcode(next) { _, _ in fixture.path("whole.ts") }
        #expect(result.renditions[0].frames == 60)
        let probe = try MediaTools.probe(fixture.path("whole.ts"), ["-count_frames", "-show_streams"])
        let video = (probe["streams"] as? [[String: Any]])?.first { $0["codec_type"] as? String == "video" }
        #expect(video?["nb_read_frames"] as? String == "60" && video?["height"] as? Int == 144)
    }
}
