import Dispatch
import Foundation
internal import CFFmpeg

/// What one rendition of one segment came to.
public struct RenditionResult: Sendable, Hashable, Codable {
    public let profile: String
    public let width: Int
    public let height: Int
    public let frames: Int
    /// Σ width·height over the encoded frames: what is billed and verified.
    public let pixels: Int
    public let file: String
}

/// One transcoded segment: its renditions and how long it took against its media duration.
public struct SegmentResult: Sendable, Hashable, Codable {
    public let segment: Int
    public let duration: Double
    public let renditions: [RenditionResult]
    public let elapsedSeconds: Double
    /// elapsed ÷ duration: below 1 is faster than real time.
    public var realtimeRatio: Double { duration > 0 ? elapsedSeconds / duration : 0 }
}

/// Transcodes the segments of one stream: each segment is decoded once, every frame is scaled and encoded
/// to each profile in parallel, and one MPEG-TS per rendition is written with the segment's audio copied in.
/// The decoder and encoders live as long as the stream (no per-segment setup). Use it from one thread at a
/// time (an orchestrator gives each stream its own serial queue); that is what makes it `@unchecked Sendable`.
public final class StreamTranscoder: @unchecked Sendable {
    public let profiles: [VideoProfile]
    public let options: EncoderOptions
    private var decoder: VideoDecoder?
    private var encoders: [RenditionEncoder] = []
    private var sourceSize: (Int32, Int32) = (0, 0)

    public init(profiles: [VideoProfile], options: EncoderOptions = EncoderOptions()) throws(TranscodeError) {
        guard !profiles.isEmpty else { throw .noProfiles }
        self.profiles = profiles
        self.options = options
    }

    /// Transcodes one source segment; `output(profile, index)` names each rendition's file. `stop` is asked
    /// between packets: once it says true the transcode ends with `.cancelled`, and the stream's decoder and
    /// encoders are dropped (the next segment starts them afresh, with no frames of this one in them).
    public func transcode(_ segment: SourceSegment, stop: () -> Bool = { false },
                          output: (VideoProfile, Int) -> String) throws(TranscodeError) -> SegmentResult {
        let started = DispatchTime.now().uptimeNanoseconds
        let input = try MediaInput(path: segment.path)
        let video = input.videoStream
        if decoder == nil || decoder!.codecID != video.pointee.codecpar.pointee.codec_id {
            decoder = try VideoDecoder(stream: video)
        }
        let decoder = decoder!
        let audio = input.audioStream
        var muxers: [TSMuxer] = []
        var startedSegment: [Bool] = []
        var heldAudio: [Packet] = []
        let packet = try Packet()
        let frame = try Frame()
        let paths = profiles.map { output($0, segment.index) }

        func openOutputs(for frame: UnsafeMutablePointer<AVFrame>) throws(TranscodeError) {
            let size = (frame.pointee.width, frame.pointee.height)
            if encoders.isEmpty || size != sourceSize {
                encoders = []
                for profile in profiles {
                    encoders.append(try RenditionEncoder(
                        profile: profile, sourceWidth: Int(size.0), sourceHeight: Int(size.1), timeBase: video.pointee.time_base,
                        options: options))
                }
                sourceSize = size
            }
            for (index, encoder) in encoders.enumerated() {
                encoder.resetCounters()
                let muxer = try TSMuxer(path: paths[index])
                try muxer.addStream(parameters: encoder.parameters.raw, timeBase: encoder.timeBase)
                if let audio { try muxer.addStream(parameters: audio.pointee.codecpar, timeBase: audio.pointee.time_base) }
                try muxer.writeHeader()
                muxers.append(muxer)
                startedSegment.append(false)
            }
            for held in heldAudio { try writeAudio(held) }
            heldAudio.removeAll()
        }

        func writeAudio(_ packet: Packet) throws(TranscodeError) {
            for muxer in muxers {
                let copy = try Packet()
                try TranscodeError.check(av_packet_ref(copy.raw, packet.raw), "copying audio")
                try muxer.write(copy, stream: 1, timeBase: audio!.pointee.time_base)
            }
            av_packet_unref(packet.raw)
        }

        func encodeDecodedFrames() throws(TranscodeError) {
            while try decoder.receive(into: frame) {
                if muxers.isEmpty { try openOutputs(for: frame.raw) }
                try encodeInParallel(frame.raw, muxers: muxers, first: &startedSegment)
                av_frame_unref(frame.raw)
            }
        }

        while try input.read(into: packet) {
            if stop() {
                self.decoder = nil
                encoders = []
                throw .cancelled
            }
            let index = packet.raw.pointee.stream_index
            if index == input.videoIndex {
                try decoder.send(packet)
                av_packet_unref(packet.raw)
                try encodeDecodedFrames()
            } else if let audioIndex = input.audioIndex, index == audioIndex {
                if muxers.isEmpty {
                    let held = try Packet()
                    av_packet_move_ref(held.raw, packet.raw)
                    heldAudio.append(held)
                } else {
                    try writeAudio(packet)
                }
            } else {
                av_packet_unref(packet.raw)
            }
        }
        try decoder.send(nil)
        try encodeDecodedFrames()
        decoder.reset()
        guard !muxers.isEmpty else { throw .emptyInput(path: segment.path) }
        for muxer in muxers { try muxer.finish() }
        let results = encoders.enumerated().map { index, encoder in
            RenditionResult(profile: encoder.profile.name, width: Int(encoder.width), height: Int(encoder.height),
                            frames: encoder.frames, pixels: encoder.pixels, file: paths[index])
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return SegmentResult(segment: segment.index, duration: segment.duration, renditions: results, elapsedSeconds: elapsed)
    }

    /// Scales and encodes one decoded frame to every rendition at once, one rendition per thread.
    private func encodeInParallel(_ frame: UnsafeMutablePointer<AVFrame>, muxers: [TSMuxer],
                                  first started: inout [Bool]) throws(TranscodeError) {
        let work = ParallelRenditions(encoders: encoders, muxers: muxers, started: started, frame: frame)
        DispatchQueue.concurrentPerform(iterations: encoders.count) { index in work.run(index) }
        started = Array(repeating: true, count: encoders.count)
        if let failure = work.firstFailure { throw failure }
    }
}

/// The per-frame fan-out: rendition i's encoder and muxer are touched only by the thread running index i,
/// and the source frame is only read, so the unchecked sendability holds.
private final class ParallelRenditions: @unchecked Sendable {
    let encoders: [RenditionEncoder]
    let muxers: [TSMuxer]
    let started: [Bool]
    let frame: UnsafeMutablePointer<AVFrame>
    private var failures: [TranscodeError?]
    private let lock = NSLock()

    init(encoders: [RenditionEncoder], muxers: [TSMuxer], started: [Bool], frame: UnsafeMutablePointer<AVFrame>) {
        self.encoders = encoders
        self.muxers = muxers
        self.started = started
        self.frame = frame
        failures = Array(repeating: nil, count: encoders.count)
    }

    func run(_ index: Int) {
        let encoder = encoders[index], muxer = muxers[index]
        do {
            try encoder.encode(frame, forceKey: !started[index]) { (packet) throws(TranscodeError) in
                try muxer.write(packet, stream: 0, timeBase: encoder.timeBase)
            }
        } catch {
            lock.withLock { failures[index] = error }
        }
    }

    var firstFailure: TranscodeError? { lock.withLock { failures.compactMap { $0 }.first } }
}
