internal import CFFmpeg

/// One rendition of a stream: scales decoded frames to the profile's size, drops frames above its frame
/// rate, encodes H.264 and counts what it encoded. Persists across the stream's segments.
final class RenditionEncoder {
    let profile: VideoProfile
    let width: Int32
    let height: Int32
    let timeBase: AVRational
    let context: CodecContext
    let parameters: CodecParameters
    private var scaler: ScalerContext?
    private var scalerSource: (Int32, Int32, Int32) = (0, 0, -1)
    private let scaled: Frame
    private let packet: Packet
    private var basePTS: Int64?
    private var lastSlot: Int64 = .min
    /// Frames encoded and Σ width·height over them, since the counters were last reset.
    private(set) var frames = 0
    private(set) var pixels = 0

    init(profile: VideoProfile, sourceWidth: Int, sourceHeight: Int, timeBase: AVRational,
         options: EncoderOptions) throws(TranscodeError) {
        self.profile = profile
        let size = profile.outputSize(sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        width = Int32(size.width)
        height = Int32(size.height)
        self.timeBase = timeBase
        guard let codec = avcodec_find_encoder_by_name(options.encoder.rawValue) else {
            throw .encoderUnavailable(options.encoder.rawValue)
        }
        context = try CodecContext(codec: codec)
        let raw = context.raw
        raw.pointee.width = width
        raw.pointee.height = height
        raw.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        raw.pointee.time_base = timeBase
        raw.pointee.framerate = AVRational(num: Int32(profile.fps), den: 1)
        raw.pointee.bit_rate = Int64(profile.bitrate)
        raw.pointee.gop_size = Int32(profile.gop)
        raw.pointee.max_b_frames = 0
        if options.encoder == .libx264 {
            av_opt_set(raw.pointee.priv_data, "preset", options.preset, 0)
            av_opt_set(raw.pointee.priv_data, "tune", "zerolatency", 0)
            av_opt_set(raw.pointee.priv_data, "forced-idr", "1", 0)
        } else {
            av_opt_set(raw.pointee.priv_data, "preset", options.preset, 0)
            av_opt_set(raw.pointee.priv_data, "zerolatency", "1", 0)
            av_opt_set(raw.pointee.priv_data, "forced-idr", "1", 0)
        }
        try TranscodeError.check(avcodec_open2(raw, codec, nil), "opening \(options.encoder.rawValue) for \(profile.name)")
        parameters = try CodecParameters(encoder: context)
        scaled = try Frame()
        packet = try Packet()
        scaled.raw.pointee.width = width
        scaled.raw.pointee.height = height
        scaled.raw.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        try TranscodeError.check(av_frame_get_buffer(scaled.raw, 0), "allocating a \(width)x\(height) frame")
    }

    func resetCounters() {
        frames = 0
        pixels = 0
    }

    /// Scales and encodes `source` unless the profile's frame rate drops it; `forceKey` starts a segment with
    /// an IDR frame. Every packet the encoder returns goes to `emit` (timestamps in `timeBase`).
    func encode(_ source: UnsafeMutablePointer<AVFrame>, forceKey: Bool,
                emit: (Packet) throws(TranscodeError) -> Void) throws(TranscodeError) {
        var pts = source.pointee.best_effort_timestamp
        if pts == Int64.min { pts = source.pointee.pts }
        let base = basePTS ?? pts
        basePTS = base
        // The output frame slot at the profile's rate; a frame in a slot already used is dropped (the first
        // frame of a segment is always kept, so every segment starts with its keyframe). floor(x + ¼) rather
        // than rounding: timestamps in coarse time bases (FLV's milliseconds) land a hair either side of a
        // half slot, and rounding would then keep or drop them at random.
        let position = Double(pts - base) * Double(timeBase.num) * Double(profile.fps) / Double(timeBase.den)
        let slot = Int64((position + 0.25).rounded(.down))
        if slot <= lastSlot && !forceKey { return }
        lastSlot = max(slot, lastSlot)

        try prepareScaler(for: source)
        try TranscodeError.check(av_frame_make_writable(scaled.raw), "making a frame writable")
        let height = source.pointee.height
        let done = withUnsafePointer(to: &source.pointee.data) { sourceData in
            withUnsafePointer(to: &source.pointee.linesize) { sourceLines in
                withUnsafeMutablePointer(to: &scaled.raw.pointee.data) { targetData in
                    withUnsafeMutablePointer(to: &scaled.raw.pointee.linesize) { targetLines in
                        sws_scale(
                            scaler!.raw,
                            UnsafeRawPointer(sourceData).assumingMemoryBound(to: UnsafePointer<UInt8>?.self),
                            UnsafeRawPointer(sourceLines).assumingMemoryBound(to: Int32.self), 0, height,
                            UnsafeMutableRawPointer(targetData).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                            UnsafeMutableRawPointer(targetLines).assumingMemoryBound(to: Int32.self))
                    }
                }
            }
        }
        guard done > 0 else { throw .ffmpeg(operation: "scaling to \(profile.name)", message: "sws_scale wrote nothing") }
        scaled.raw.pointee.pts = pts
        scaled.raw.pointee.pict_type = forceKey ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE
        try TranscodeError.check(avcodec_send_frame(context.raw, scaled.raw), "encoding \(profile.name)")
        try drain(emit)
    }

    /// Hands every packet the encoder has ready to `emit`.
    func drain(_ emit: (Packet) throws(TranscodeError) -> Void) throws(TranscodeError) {
        while true {
            let status = avcodec_receive_packet(context.raw, packet.raw)
            if status == sf_averror_eagain() || status == sf_averror_eof() { return }
            try TranscodeError.check(status, "encoding \(profile.name)")
            frames += 1
            pixels += Int(width) * Int(height)
            try emit(packet)
        }
    }

    private func prepareScaler(for source: UnsafeMutablePointer<AVFrame>) throws(TranscodeError) {
        let key = (source.pointee.width, source.pointee.height, source.pointee.format)
        if scaler == nil || scalerSource != key {
            scaler = try ScalerContext(
                from: (key.0, key.1, AVPixelFormat(rawValue: key.2)), to: (width, height, AV_PIX_FMT_YUV420P))
            scalerSource = key
        }
    }
}
