import Dispatch
import Foundation

/// A whole transcode as the CLI runs it: cut the input into segments, transcode each to every profile, write
/// HLS playlists (VOD and a live window) and summary.json. Layout under `output`: source/seg_N.ts,
/// PROFILE/seg_N.ts, PROFILE/index.m3u8, PROFILE/live.m3u8, master.m3u8, summary.json.
public struct TranscodeJob: Sendable {
    public var input: String
    public var output: String
    public var profiles: [VideoProfile]
    public var segmentSeconds: Double
    public var options: EncoderOptions
    public var liveWindow: Int

    public init(input: String, output: String, profiles: [VideoProfile], segmentSeconds: Double = 2,
                options: EncoderOptions = EncoderOptions(), liveWindow: Int = 6) {
        self.input = input
        self.output = output
        self.profiles = profiles
        self.segmentSeconds = segmentSeconds
        self.options = options
        self.liveWindow = liveWindow
    }

    /// What summary.json holds.
    public struct Summary: Sendable, Codable {
        public let input: String
        public let encoder: String
        public let preset: String
        public let profiles: [VideoProfile]
        public let segments: [SegmentSummary]
        public let mediaSeconds: Double
        public let elapsedSeconds: Double
        public let segmentingSeconds: Double
        /// Transcode time ÷ media time (below 1 is faster than real time).
        public let realtimeRatio: Double
        /// Source frames decoded per second of wall time.
        public let framesPerSecond: Double
    }

    public struct SegmentSummary: Sendable, Codable {
        public let segment: Int
        public let start: Double
        public let duration: Double
        public let elapsedSeconds: Double
        public let realtimeRatio: Double
        public let renditions: [RenditionResult]
    }

    /// Runs the job; `progress(done, total)` is called after each segment.
    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws(TranscodeError) -> Summary {
        guard !profiles.isEmpty else { throw .noProfiles }
        let clock = DispatchTime.now().uptimeNanoseconds
        let sourceDirectory = (output as NSString).appendingPathComponent("source")
        let segments = try Segmenter.split(input: input, into: sourceDirectory, seconds: segmentSeconds)
        let segmenting = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
        for profile in profiles {
            let directory = (output as NSString).appendingPathComponent(profile.name)
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .io("cannot create \(directory): \(error.localizedDescription)")
            }
        }
        let transcoder = try StreamTranscoder(profiles: profiles, options: options)
        var summaries: [SegmentSummary] = []
        progress(0, segments.count)
        for segment in segments {
            let result = try transcoder.transcode(segment) { profile, index in
                (output as NSString).appendingPathComponent("\(profile.name)/\(Segmenter.fileName(index))")
            }
            summaries.append(SegmentSummary(
                segment: segment.index, start: segment.start, duration: segment.duration,
                elapsedSeconds: result.elapsedSeconds, realtimeRatio: result.realtimeRatio, renditions: result.renditions))
            progress(summaries.count, segments.count)
        }
        try writePlaylists(segments: segments, summaries: summaries)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
        let media = segments.reduce(0) { $0 + $1.duration }
        let sourceFrames = segments.reduce(0) { $0 + $1.videoPackets }
        let summary = Summary(
            input: input, encoder: options.encoder.rawValue, preset: options.preset, profiles: profiles, segments: summaries,
            mediaSeconds: media, elapsedSeconds: elapsed, segmentingSeconds: segmenting,
            realtimeRatio: media > 0 ? elapsed / media : 0, framesPerSecond: elapsed > 0 ? Double(sourceFrames) / elapsed : 0)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(summary).write(to: URL(fileURLWithPath: (output as NSString).appendingPathComponent("summary.json")))
        } catch { throw .io("cannot write summary.json: \(error.localizedDescription)") }
        return summary
    }

    private func writePlaylists(segments: [SourceSegment], summaries: [SegmentSummary]) throws(TranscodeError) {
        var variants: [HLSPlaylist.Variant] = []
        for (position, profile) in profiles.enumerated() {
            let entries = segments.map { HLSPlaylist.Entry(uri: Segmenter.fileName($0.index), duration: $0.duration) }
            let directory = (output as NSString).appendingPathComponent(profile.name)
            try write(HLSPlaylist.media(entries), to: (directory as NSString).appendingPathComponent("index.m3u8"))
            try write(HLSPlaylist.media(entries, window: liveWindow), to: (directory as NSString).appendingPathComponent("live.m3u8"))
            let first = summaries.first?.renditions[position]
            variants.append(HLSPlaylist.Variant(uri: "\(profile.name)/index.m3u8", bandwidth: profile.bitrate,
                                                width: first?.width ?? profile.width, height: first?.height ?? profile.height))
        }
        try write(HLSPlaylist.master(variants), to: (output as NSString).appendingPathComponent("master.m3u8"))
    }

    private func write(_ text: String, to path: String) throws(TranscodeError) {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
            throw .io("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
