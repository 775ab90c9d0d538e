import Foundation
internal import CFFmpeg

/// One source segment: an MPEG-TS file cut on a video keyframe, with its exact start and duration.
public struct SourceSegment: Sendable, Hashable, Codable {
    public let index: Int
    public let path: String
    /// Seconds from the start of the source.
    public let start: Double
    /// Seconds until the next segment's first video frame (the last: until its last frame ends).
    public let duration: Double
    public let videoPackets: Int

    public init(index: Int, path: String, start: Double, duration: Double, videoPackets: Int) {
        self.index = index
        self.path = path
        self.start = start
        self.duration = duration
        self.videoPackets = videoPackets
    }
}

/// Cuts a file or stream (any container libavformat reads: MPEG-TS, MP4, FLV …) into MPEG-TS segments of
/// about `seconds` each, each starting on a video keyframe; packets are copied, not re-encoded.
public enum Segmenter {
    /// Every segment's timestamps are the source's plus this (10 s): enough to keep B-frame delays and audio
    /// priming non-negative, the same for every segment so they line up.
    public static let timestampShift: Int64 = 10_000_000

    /// seg_00000.ts, seg_00001.ts, …
    public static func fileName(_ index: Int) -> String {
        let digits = String(index)
        return "seg_" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".ts"
    }

    public static func split(input path: String, into directory: String, seconds: Double = 2,
                             name: (Int) -> String = Segmenter.fileName) throws(TranscodeError) -> [SourceSegment] {
        guard seconds > 0 else { throw .io("segment length must be positive") }
        let input = try MediaInput(path: path)
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .io("cannot create \(directory): \(error.localizedDescription)")
        }
        let video = input.videoStream
        let timeBase = video.pointee.time_base
        let target = Int64((seconds * Double(timeBase.den) / Double(timeBase.num)).rounded())
        let packet = try Packet()
        var muxer: TSMuxer?
        var cuts: [(index: Int, path: String, startPTS: Int64, packets: Int)] = []
        var firstPTS: Int64?
        var lastEnd: Int64 = 0
        var pendingAudio: [Packet] = []

        func open(at pts: Int64) throws(TranscodeError) {
            try muxer?.finish()
            let file = (directory as NSString).appendingPathComponent(name(cuts.count))
            let next = try TSMuxer(path: file, shiftMicroseconds: timestampShift)
            try next.addStream(parameters: video.pointee.codecpar, timeBase: timeBase)
            if let audio = input.audioStream {
                try next.addStream(parameters: audio.pointee.codecpar, timeBase: audio.pointee.time_base)
            }
            try next.writeHeader()
            muxer = next
            cuts.append((cuts.count, file, pts, 0))
        }

        while try input.read(into: packet) {
            let index = packet.raw.pointee.stream_index
            if index == input.videoIndex {
                var pts = packet.raw.pointee.pts
                if pts == Int64.min { pts = packet.raw.pointee.dts }
                guard pts != Int64.min else { av_packet_unref(packet.raw); continue }
                let isKey = packet.raw.pointee.flags & AV_PKT_FLAG_KEY != 0
                if muxer == nil {
                    guard isKey else { av_packet_unref(packet.raw); continue }  // start on the first keyframe
                    firstPTS = pts
                    try open(at: pts)
                    for audio in pendingAudio {
                        try muxer!.write(audio, stream: 1, timeBase: input.audioStream!.pointee.time_base)
                    }
                    pendingAudio.removeAll()
                } else if isKey, pts - cuts[cuts.count - 1].startPTS >= target {
                    try open(at: pts)
                }
                let duration = max(packet.raw.pointee.duration, 0)
                lastEnd = max(lastEnd, pts + duration)
                cuts[cuts.count - 1].packets += 1
                try muxer!.write(packet, stream: 0, timeBase: timeBase)
            } else if let audioIndex = input.audioIndex, index == audioIndex {
                if let muxer {
                    try muxer.write(packet, stream: 1, timeBase: input.audioStream!.pointee.time_base)
                } else {
                    let held = try Packet()
                    av_packet_move_ref(held.raw, packet.raw)
                    pendingAudio.append(held)
                }
            } else {
                av_packet_unref(packet.raw)
            }
        }
        try muxer?.finish()
        guard let firstPTS, !cuts.isEmpty else { throw .emptyInput(path: path) }
        let seconds = { (ticks: Int64) in Double(ticks) * Double(timeBase.num) / Double(timeBase.den) }
        return cuts.enumerated().map { position, cut in
            let end = position + 1 < cuts.count ? cuts[position + 1].startPTS : lastEnd
            return SourceSegment(index: cut.index, path: cut.path, start: seconds(cut.startPTS - firstPTS),
                                 duration: seconds(end - cut.startPTS), videoPackets: cut.packets)
        }
    }
}
