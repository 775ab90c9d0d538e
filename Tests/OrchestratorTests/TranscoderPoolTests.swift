import Drills
import EventLog
import EventModel
import Projections
import Foundation
import JSONCore
import Orchestrator
import Scheduling
import Synchronization
import Testing
import TestSupport
import Transcoding

/// The scheduler: its pure choice rules, and the pool over real in-process transcoders writing to a real log
/// — sticky streams, spread load, retries on failure and timeout, and a projection rebuilt equal to it.
@Suite("transcoder pool", .serialized)
struct TranscoderPoolTests {
    static let orchestrator = "0x00000000000000000000000000000000000000A1"

    static func registered(_ id: String, capacity: Int) -> EventEnvelope {
        SchedulingEvents.registered(orchestrator: orchestrator, transcoder: id, capacity: capacity, kind: "local", generation: 1,
                                    timestamp: 0)
    }

    static func assigned(_ task: Int64, stream: String, to id: String) -> EventEnvelope {
        SchedulingEvents.assigned(orchestrator: orchestrator, stream: stream, taskID: task, seq: task, transcoder: id, attempt: 1,
                                  timestamp: 0)
    }

    @Test("choice: sticky while it has room, else least loaded by capacity, full pool still answers, lost ones forgotten")
    func choiceRules() {
        var state = SchedulerState()
        #expect(state.choose(stream: "a") == nil)
        state.apply(Self.registered("t1", capacity: 2))
        state.apply(Self.registered("t2", capacity: 4))
        #expect(state.choose(stream: "a") == "t1")  // both idle: ties by id
        state.apply(Self.assigned(1, stream: "a", to: "t1"))
        #expect(state.choose(stream: "a") == "t1")  // sticky
        #expect(state.choose(stream: "b") == "t2")  // t1 at 1/2, t2 at 0/4
        state.apply(Self.assigned(2, stream: "b", to: "t2"))
        state.apply(Self.assigned(3, stream: "c", to: "t1"))
        #expect(state.choose(stream: "a") == "t2")  // t1 full (2/2): sticky gives way
        #expect(state.choose(stream: "a", excluding: ["t2"]) == "t1")  // only a full one left: it queues there
        state.apply(SchedulingEvents.completed(orchestrator: Self.orchestrator, stream: "a", taskID: 1, attempt: 1, transcoder: "t1",
                                               elapsedMs: 5, pixels: 10, timestamp: 0))
        #expect(state.workers["t1"]?.load == 1 && state.workers["t1"]?.completed == 1)
        state.apply(SchedulingEvents.lost(orchestrator: Self.orchestrator, transcoder: "t1", reason: "disconnected", generation: 1,
                                          timestamp: 0))
        #expect(state.workers["t1"] == nil && state.lost["t1"] == "disconnected")
        #expect(state.inFlight.values.allSatisfy { $0 != "t1" } && state.sticky["c"] == nil)
        #expect(state.choose(stream: "c") == "t2")
        #expect(state.choose(stream: "c", excluding: ["t2"]) == nil)
    }

    /// A pool over a real log in a fresh directory, with two 2 s 240p source segments of one 4 s clip.
    struct Fixture {
        let directory: String
        let log: EventLog
        let sink: LogEventSink
        let sources: [String]

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-pool-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            log = try EventLog(directory: directory + "/log")
            sink = LogEventSink(log: log)
            let clip = directory + "/clip.mp4"
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=426x240:rate=30", "-t", "4", "-c:v", "libx264",
                                   "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p", clip])
            LibavLog.errorsOnly()
            sources = try Segmenter.split(input: clip, into: directory + "/segments", seconds: 2).map(\.path)
            #expect(sources.count == 2)
        }

        func pool(timeout: Duration = .seconds(30)) -> TranscoderPool {
            TranscoderPool(orchestrator: TranscoderPoolTests.orchestrator, sink: sink, clock: SteppingClock(start: 1_700_000_000_000),
                           timeout: { _ in timeout })
        }

        func task(_ pool: TranscoderPool, stream: String, seq: Int64) throws -> TranscodeTask {
            TranscodeTask(id: pool.newTaskID(), manifest: stream, seq: seq, durationMs: 2_000,
                          profiles: try VideoProfile.parseList("P144p30fps16x9"), sourcePath: sources[Int(seq) % sources.count],
                          outputDirectory: "\(directory)/out/\(stream)")
        }

        /// The events the pool wrote, in log order, as (type, payload).
        func written() async throws -> [EventEnvelope] {
            await sink.flush()
            #expect(sink.failureCount == 0, "\(sink.lastFailure ?? "")")
            var events: [EventEnvelope] = []
            try log.scan(topic: .transcoders) { events.append(try $0.record().envelope); return true }
            return events
        }

        /// The scheduling projection folded from the log.
        func rebuilt() async throws -> [String: SchedulerState] {
            await sink.flush()
            let bytes = try ProjectionReplay.fold(SchedulingProjection(), log: log, through: log.head.sequence)
            return try JSONValueDecoder().decode([String: SchedulerState].self, from: try JSONParser.parse(bytes))
        }

        func close() {
            log.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("a local transcoder keeps encoders for at most maxStreams streams and releases idle ones; a released stream transcodes again")
    func encodersReleased() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let pool = fixture.pool()
        final class Clock: Sendable { let ms = Atomic<UInt64>(0) }  // moved by hand
        let clock = Clock()
        let local = LocalTranscoder(id: "local-1", capacity: 1, streamLimits: .init(maxStreams: 2, idleTimeoutMs: 60_000),
                                    now: { clock.ms.load(ordering: .relaxed) })
        func run(_ stream: String, _ seq: Int64) async throws -> [TranscodedRendition] {
            try await local.transcode(try fixture.task(pool, stream: stream, seq: seq))
        }
        _ = try await run("a", 0)
        clock.ms.add(1, ordering: .relaxed)
        _ = try await run("b", 0)
        #expect(local.streams.count == 2)
        clock.ms.add(1, ordering: .relaxed)
        _ = try await run("c", 0)
        #expect(local.streams.count == 2, "c took the least recently used stream's (a's) encoders")
        clock.ms.add(60_000, ordering: .relaxed)
        #expect(local.streams.releaseIdle() == 2 && local.streams.count == 0, "idle streams hold no encoders")
        let renditions = try await run("a", 1)
        #expect(renditions.count == 1 && renditions[0].pixels == 256 * 144 * 60, "a resumes on new encoders, every frame there")
        let probe = try MediaTools.probe(renditions[0].file, ["-show_streams"])
        let video = (probe["streams"] as? [[String: Any]])?.first { $0["codec_type"] as? String == "video" }
        #expect(video?["height"] as? Int == 144 && video?["codec_name"] as? String == "h264")
    }

    @Test("3 streams × 2 segments on 2 real transcoders: streams stick, both work, renditions decode, the log rebuilds the state")
    func stickyAndSpread() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let pool = fixture.pool()
        pool.add(LocalTranscoder(id: "local-1", capacity: 2))
        pool.add(LocalTranscoder(id: "local-2", capacity: 2))
        var byStream: [String: Set<String>] = [:]
        for seq in 0..<2 {
            try await withThrowingTaskGroup(of: (String, String, [TranscodedRendition]).self) { group in
                for stream in ["a", "b", "c"] {
                    let task = try fixture.task(pool, stream: stream, seq: Int64(seq))
                    group.addTask {
                        let (renditions, transcoder) = try await pool.run(task)
                        return (stream, transcoder, renditions)
                    }
                }
                for try await (stream, transcoder, renditions) in group {
                    byStream[stream, default: []].insert(transcoder)
                    #expect(renditions.count == 1 && renditions[0].pixels == 256 * 144 * 60)
                    let probe = try MediaTools.probe(renditions[0].file, ["-show_streams"])
                    let video = (probe["streams"] as? [[String: Any]])?.first { $0["codec_type"] as? String == "video" }
                    #expect(video?["height"] as? Int == 144 && video?["codec_name"] as? String == "h264")
                }
            }
        }
        #expect(byStream.values.allSatisfy { $0.count == 1 })  // each stream stayed on one transcoder
        #expect(Set(byStream.values.flatMap { $0 }) == ["local-1", "local-2"])  // both were used
        let events = try await fixture.written()
        #expect(events.filter { $0.type == "task.assigned" }.count == 6)
        #expect(events.filter { $0.type == "task.completed" }.count == 6)
        let snapshot = pool.snapshot
        #expect(snapshot.load == 0 && snapshot.workers.values.reduce(0) { $0 + $1.completed } == 6)
        #expect(try await fixture.rebuilt() == [Self.orchestrator: snapshot])
    }

    @Test("a transcoder dying mid-segment: the task fails as disconnected, the transcoder is dropped, another finishes it")
    func dyingTranscoder() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let pool = fixture.pool()
        pool.add(DyingTranscoder(wrapping: LocalTranscoder(id: "a-dies", capacity: 1), atTask: 1))  // labelled fault: crashes on its first task
        pool.add(LocalTranscoder(id: "b-ok", capacity: 1))
        let (renditions, transcoder) = try await pool.run(try fixture.task(pool, stream: "s", seq: 0))
        #expect(transcoder == "b-ok" && renditions.count == 1)
        let events = try await fixture.written()
        #expect(events.map(\.type) == ["transcoder.registered", "transcoder.registered", "task.assigned", "task.failed",
                                       "transcoder.lost", "task.assigned", "task.completed"])
        #expect(events[3].payload["reason"] == "disconnected" && events[3].payload["final"] == false)
        #expect(pool.snapshot.workers.keys.sorted() == ["b-ok"] && pool.snapshot.lost == ["a-dies": "disconnected"])
        #expect(try await fixture.rebuilt() == [Self.orchestrator: pool.snapshot])
    }

    @Test("a transcoder claiming Int64.max pixels per rendition is a bad result (no overflow trap when they are summed); another finishes")
    func implausiblePixels() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let pool = fixture.pool()
        pool.add(InflatingTranscoder(id: "a-inflates"))
        let task = TranscodeTask(id: pool.newTaskID(), manifest: "s", seq: 0, durationMs: 2_000,
                                 profiles: try VideoProfile.parseList("P144p30fps16x9,P240p30fps16x9"), sourcePath: fixture.sources[0],
                                 outputDirectory: "\(fixture.directory)/out/s")
        do {
            _ = try await pool.run(task)
            Issue.record("the inflated result must be refused")
        } catch {
            guard case .allAttemptsFailed(let reasons)? = error as? TranscoderPool.Failure else { Issue.record("\(error)"); return }
            #expect(reasons.count == 1 && reasons[0].contains("\(Int64.max) pixels claimed"), "\(reasons)")
        }
        pool.add(LocalTranscoder(id: "b-ok", capacity: 1))
        let (renditions, transcoder) = try await pool.run(try fixture.task(pool, stream: "t", seq: 0))
        #expect(transcoder == "b-ok" && renditions.count == 1 && renditions[0].pixels == 256 * 144 * 60)
    }

    @Test("a cancelled local transcode stops (the pool cancels one it timed out) and its stream's next segment is whole")
    func cancelledTranscodeStops() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let pool = fixture.pool()
        let local = LocalTranscoder(id: "local-1", capacity: 1)
        let task = try fixture.task(pool, stream: "s", seq: 0)
        let work = Task { try await local.transcode(task) }
        work.cancel()
        await #expect(throws: TranscoderFailure.transcode(TranscodeError.cancelled.description)) { try await work.value }
        let renditions = try await local.transcode(try fixture.task(pool, stream: "s", seq: 1))
        #expect(renditions.count == 1 && renditions[0].pixels == 256 * 144 * 60)
    }

    @Test("a restarted pool continues from the log: the old transcoders are recorded lost, task ids and generations go on (no event id reused), live == rebuilt")
    func restartFromProjection() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let first = fixture.pool()
        first.add(LocalTranscoder(id: "local-1", capacity: 1))
        _ = try await first.run(try fixture.task(first, stream: "a", seq: 0))
        _ = try await first.run(try fixture.task(first, stream: "a", seq: 1))
        let before = try await fixture.written().count
        // The node dies; the new process restores the pool from the scheduling projection.
        let restored = try #require(try await fixture.rebuilt()[Self.orchestrator])
        #expect(restored.nextTaskID == 2 && restored.generations["local-1"] == 1)
        let second = TranscoderPool(orchestrator: Self.orchestrator, sink: fixture.sink, clock: SteppingClock(start: 1_700_000_100_000),
                                    timeout: { _ in .seconds(30) }, restoring: restored)
        #expect(second.snapshot.workers.isEmpty && second.snapshot.lost["local-1"] == "disconnected")
        second.add(LocalTranscoder(id: "local-1", capacity: 1))
        let task = try fixture.task(second, stream: "a", seq: 0)
        #expect(task.id == 2)
        _ = try await second.run(task)
        let events = try await fixture.written()
        // lost + registered (generation 2) + assigned + completed: each a new event, none dropped as a duplicate id.
        #expect(events.count == before + 4)
        #expect(Set(events.map(\.id)).count == events.count)
        #expect(events.contains { $0.id.hasSuffix("/transcoder/local-1/2/registered") })
        #expect(try await fixture.rebuilt() == [Self.orchestrator: second.snapshot])
    }

    @Test("a stalled transcoder times out and the task moves on; with nothing left, the failure is final and typed")
    func timeoutsAndExhaustion() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let pool = fixture.pool(timeout: .seconds(2))
        await #expect(throws: TranscoderPool.Failure.noTranscoder) { try await pool.run(try fixture.task(pool, stream: "s", seq: 0)) }
        pool.add(StallingTranscoder(id: "a-stalls"))
        let started = ContinuousClock.now
        do {
            _ = try await pool.run(try fixture.task(pool, stream: "s", seq: 1))
            Issue.record("a stalled transcoder cannot deliver")
        } catch {
            guard case .allAttemptsFailed(let reasons)? = error as? TranscoderPool.Failure else { Issue.record("\(error)"); return }
            #expect(reasons.count == 1 && reasons[0].contains("did not answer in time"))
        }
        #expect(ContinuousClock.now - started < .seconds(6))
        pool.add(LocalTranscoder(id: "b-ok", capacity: 1))
        let (_, transcoder) = try await pool.run(try fixture.task(pool, stream: "t", seq: 2))
        #expect(transcoder == "a-stalls" || transcoder == "b-ok")
        let failed = try await fixture.written().filter { $0.type == "task.failed" }
        #expect(failed.first?.payload["reason"] == "timeout" && failed.first?.payload["final"] == true)
        #expect(try await fixture.rebuilt() == [Self.orchestrator: pool.snapshot])
    }
}

/// A labelled test double: a transcoder that claims an absurd pixel count for every rendition (a lying or broken
/// remote transcoder or fleet worker), on real files.
final class InflatingTranscoder: TranscoderWorker {
    let id: String
    let capacity = 1
    let kind = "remote"
    init(id: String) { self.id = id }
    func transcode(_ task: TranscodeTask) async throws(TranscoderFailure) -> [TranscodedRendition] {
        task.profiles.map { TranscodedRendition(profile: $0, file: task.sourcePath, pixels: .max) }
    }
}

/// A labelled test double: a transcoder that accepts a task and never answers (what the timeout is for).
final class StallingTranscoder: TranscoderWorker {
    let id: String
    let capacity = 1
    let kind = "remote"
    init(id: String) { self.id = id }
    func transcode(_ task: TranscodeTask) async throws(TranscoderFailure) -> [TranscodedRendition] {
        try? await Task.sleep(for: .seconds(3_600))
        throw .timeout
    }
}
