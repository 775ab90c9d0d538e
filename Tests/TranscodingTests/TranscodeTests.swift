import Foundation
import Testing
import TestSupport
@testable import Transcoding

/// Real transcodes of generated sources, every output checked with ffprobe (codec, size, frames, duration,
/// audio), PSNR against the source scaled the same way, and pixel counts recounted by decoding.
@Suite("transcoding", .serialized)
struct TranscodeTests {
    /// Transcodes `input` and checks every rendition of every segment; returns the summary.
    @discardableResult
    static func transcodeAndCheck(_ fixture: MediaFixture, input: String, profiles: String, expectAudio: Bool,
                                  fps: Double = 30) throws -> TranscodeJob.Summary {
        let out = fixture.path("out-\(UUID().uuidString.prefix(8))")
        let job = TranscodeJob(input: input, output: out, profiles: try VideoProfile.parseList(profiles))
        let summary = try job.run()
        #expect(!summary.segments.isEmpty)
        let segments = try Segmenter.split(input: input, into: fixture.path("check-\(UUID().uuidString.prefix(8))"))
        #expect(segments.count == summary.segments.count)
        for (segment, result) in zip(segments, summary.segments) {
            #expect(abs(segment.duration - result.duration) < 1e-9)
            for rendition in result.renditions {
                let probe = try MediaFixture.probe(rendition.file)
                #expect(probe.codec == "h264")
                #expect(probe.width == rendition.width && probe.height == rendition.height)
                #expect(probe.frames == rendition.frames, "\(rendition.file)")
                #expect(rendition.pixels == rendition.frames * rendition.width * rendition.height)
                let counted = try PixelCounter.count(path: rendition.file)
                #expect(counted.pixels == rendition.pixels && counted.frames == rendition.frames)
                let shown = probe.lastTime - probe.firstTime + 1 / fps
                #expect(abs(shown - segment.duration) <= 1 / fps + 1e-3, "duration \(shown) vs \(segment.duration)")
                #expect((probe.audioCodec != nil) == expectAudio)
                let psnr = try MediaTools.psnr(rendition.file, reference: segment.path, width: rendition.width, height: rendition.height)
                #expect(psnr >= 30, "PSNR \(psnr) dB for \(rendition.profile) segment \(segment.index)")
            }
        }
        return summary
    }

    @Test("16:9 with audio (MP4): 360p and 240p, audio in every rendition")
    func landscapeWithAudio() throws {
        let fixture = try MediaFixture()
        defer { fixture.remove() }
        let input = try fixture.source("land.mp4", width: 1280, height: 720)
        let summary = try Self.transcodeAndCheck(fixture, input: input, profiles: "P360p30fps16x9,P240p30fps16x9", expectAudio: true)
        #expect(summary.segments.count == 2)
        #expect(summary.segments[0].renditions.map { "\($0.width)x\($0.height)" } == ["640x360", "426x240"])
        #expect(summary.segments.flatMap(\.renditions).reduce(0) { $0 + $1.frames } == 2 * 120)
    }

    @Test("9:16 portrait without audio (MPEG-TS) stays portrait")
    func portraitWithoutAudio() throws {
        let fixture = try MediaFixture()
        defer { fixture.remove() }
        let input = try fixture.source("portrait.ts", width: 720, height: 1280, audio: false)
        let summary = try Self.transcodeAndCheck(fixture, input: input, profiles: "P360p30fps16x9", expectAudio: false)
        #expect(summary.segments[0].renditions[0].width == 360 && summary.segments[0].renditions[0].height == 640)
    }

    @Test("odd source size (641x363, FLV) gives even output sizes")
    func oddSize() throws {
        let fixture = try MediaFixture()
        defer { fixture.remove() }
        let input = try fixture.source("odd.flv", width: 641, height: 363, seconds: 2, extra: ["-ar", "44100"])
        let summary = try Self.transcodeAndCheck(fixture, input: input, profiles: "P240p30fps16x9,320x180:300k:15", expectAudio: true)
        for rendition in summary.segments.flatMap(\.renditions) {
            #expect(rendition.width % 2 == 0 && rendition.height % 2 == 0)
        }
        // The 15 fps profile drops every other frame of the 30 fps source.
        #expect(summary.segments[0].renditions[1].frames == 30)
    }

    @Test("variable frame rate source: frames kept with their timestamps, counts exact")
    func variableFrameRate() throws {
        let fixture = try MediaFixture()
        defer { fixture.remove() }
        // Drop an irregular pattern of frames from a 30 fps pattern and keep the gaps (vfr).
        let input = try fixture.source("vfr.mkv", width: 640, height: 360, seconds: 4, audio: false,
                                       extra: ["-vf", "select='not(eq(mod(n\\,7)\\,3))*not(eq(mod(n\\,11)\\,5))'", "-fps_mode", "vfr"])
        let summary = try Self.transcodeAndCheck(fixture, input: input, profiles: "P240p30fps16x9", expectAudio: false)
        let frames = summary.segments.flatMap(\.renditions).reduce(0) { $0 + $1.frames }
        #expect(frames < 120 && frames > 90)
    }
}
