internal import CFFmpeg

/// How renditions are encoded: the H.264 encoder (libx264 on CPU, h264_nvenc on an NVIDIA GPU) and the
/// x264 preset. Encoders run with no frame delay (x264's zerolatency tuning) so that every segment's
/// renditions are complete when its last frame is in: an orchestrator answers each segment on its own.
public struct EncoderOptions: Sendable, Hashable, Codable {
    public enum Encoder: String, Sendable, Hashable, Codable, CaseIterable {
        case libx264
        case nvenc = "h264_nvenc"
    }

    public var encoder: Encoder
    public var preset: String

    public init(encoder: Encoder = .libx264, preset: String = "veryfast") {
        self.encoder = encoder
        self.preset = preset
    }

    /// libx264, or h264_nvenc when `preferGPU` and an NVIDIA encoder opens on this machine.
    public static func detect(preferGPU: Bool = true, preset: String = "veryfast") -> EncoderOptions {
        if preferGPU, GPUProbe.nvencWorks() { return EncoderOptions(encoder: .nvenc, preset: "p4") }
        return EncoderOptions(encoder: .libx264, preset: preset)
    }
}

/// Tries to open h264_nvenc on a tiny frame size: true only when the library, the driver and a GPU are there.
enum GPUProbe {
    static func nvencWorks() -> Bool {
        // A machine without a GPU answers with an error log line; the probe's answer is the return value.
        let level = av_log_get_level()
        av_log_set_level(AV_LOG_QUIET)
        defer { av_log_set_level(level) }
        guard let codec = avcodec_find_encoder_by_name("h264_nvenc"), let context = try? CodecContext(codec: codec) else {
            return false
        }
        context.raw.pointee.width = 256
        context.raw.pointee.height = 144
        context.raw.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.raw.pointee.time_base = AVRational(num: 1, den: 30)
        return avcodec_open2(context.raw, codec, nil) >= 0
    }
}

/// libav's own logging (x264's per-encoder statistics and the like) on stderr.
public enum LibavLog {
    /// Only errors: what the CLI and tests want while they draw their own output.
    public static func errorsOnly() { av_log_set_level(AV_LOG_ERROR) }
}
