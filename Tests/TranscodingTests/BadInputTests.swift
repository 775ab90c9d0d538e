import Foundation
import Testing
import TestSupport
@testable import Transcoding

/// Bad input gets a clear, typed error and no crash; nothing is left half-written in the output.
@Suite("transcoding bad input", .serialized)
struct BadInputTests {
    static func job(_ fixture: MediaFixture, _ input: String, profiles: String = "P240p30fps16x9") throws -> TranscodeJob {
        TranscodeJob(input: input, output: fixture.path("out"), profiles: try VideoProfile.parseList(profiles))
    }

    @Test("empty file, random bytes and a text file cannot be opened as media")
    func unreadable() throws {
        let fixture = try MediaFixture()
        defer { fixture.remove() }
        let empty = fixture.path("empty.ts")
        FileManager.default.createFile(atPath: empty, contents: Data())
        let random = fixture.path("random.ts")
        FileManager.default.createFile(atPath: random, contents: Data((0..<65_536).map { _ in UInt8.random(in: 0...255) }))
        let text = fixture.path("notes.txt")
        FileManager.default.createFile(atPath: text, contents: Data("not a video\n".utf8))
        for input in [empty, random, text, fixture.path("missing.mp4")] {
            let job = try Self.job(fixture, input)
            do {
                _ = try job.run()
                Issue.record("\(input) was accepted")
            } catch {
                switch error {
                case .cannotOpen, .noVideoStream, .emptyInput: break
                default: Issue.record("\(input): unexpected \(error)")
                }
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test("an audio-only file has no video stream")
    func audioOnly() throws {
        let fixture = try MediaFixture()
        defer { fixture.remove() }
        let wav = fixture.path("tone.wav")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", "1", wav])
        let job = try Self.job(fixture, wav)
        #expect(throws: TranscodeError.noVideoStream(path: wav)) { try job.run() }
    }

    @Test("a truncated MPEG-TS: a few hundred bytes is empty input; half a file transcodes what is there")
    func truncated() throws {
        let fixture = try MediaFixture()
        defer { fixture.remove() }
        let whole = try fixture.source("whole.ts", width: 320, height: 180, seconds: 4)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let stub = fixture.path("stub.ts")
        FileManager.default.createFile(atPath: stub, contents: bytes.prefix(376))
        let stubJob = try Self.job(fixture, stub)
        do {
            _ = try stubJob.run()
            Issue.record("a 376-byte stub was accepted")
        } catch {
            switch error {
            case .cannotOpen, .noVideoStream, .emptyInput: break
            default: Issue.record("unexpected \(error)")
            }
        }
        let half = fixture.path("half.ts")
        FileManager.default.createFile(atPath: half, contents: bytes.prefix(bytes.count / 2 + 101))
        let summary = try TranscodeJob(input: half, output: fixture.path("half-out"),
                                       profiles: try VideoProfile.parseList("P144p30fps16x9")).run()
        let frames = summary.segments.flatMap(\.renditions).reduce(0) { $0 + $1.frames }
        #expect(frames > 0 && frames < 120)
    }

    @Test("profile lists: empty, unknown name, malformed custom, duplicate")
    func profiles() {
        #expect(throws: TranscodeError.noProfiles) { try VideoProfile.parseList("") }
        #expect(throws: TranscodeError.noProfiles) { try VideoProfile.parseList(" , ") }
        #expect(throws: TranscodeError.unknownProfile("P9000p")) { try VideoProfile.parseList("P360p30fps16x9,P9000p") }
        #expect(throws: TranscodeError.unknownProfile("640x:1k")) { try VideoProfile.parseList("640x:1k") }
        #expect(throws: TranscodeError.self) { try VideoProfile.parseList("8x8:100k") }
        #expect(throws: TranscodeError.self) { try VideoProfile.parseList("P360p30fps16x9,P360p30fps16x9") }
        #expect(throws: TranscodeError.noProfiles) { try StreamTranscoder(profiles: []) }
        #expect((try? VideoProfile.parseList("P720p30fps16x9, 1920x1080:6M:60").map(\.bitrate)) == [4_000_000, 6_000_000])
    }
}
