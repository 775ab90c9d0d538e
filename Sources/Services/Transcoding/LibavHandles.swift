internal import CFFmpeg

/// Owns one `AVPacket`, freed in `deinit` and nowhere else.
final class Packet {
    let raw: UnsafeMutablePointer<AVPacket>

    init() throws(TranscodeError) {
        guard let packet = av_packet_alloc() else { throw .ffmpeg(operation: "av_packet_alloc", message: "out of memory") }
        raw = packet
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVPacket>? = raw
        av_packet_free(&pointer)
    }
}

/// Owns one `AVFrame`, freed in `deinit` and nowhere else.
final class Frame {
    let raw: UnsafeMutablePointer<AVFrame>

    init() throws(TranscodeError) {
        guard let frame = av_frame_alloc() else { throw .ffmpeg(operation: "av_frame_alloc", message: "out of memory") }
        raw = frame
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVFrame>? = raw
        av_frame_free(&pointer)
    }
}

/// Owns one `AVCodecContext` (a decoder or an encoder), freed in `deinit` and nowhere else.
final class CodecContext {
    let raw: UnsafeMutablePointer<AVCodecContext>

    init(codec: UnsafePointer<AVCodec>) throws(TranscodeError) {
        guard let context = avcodec_alloc_context3(codec) else {
            throw .ffmpeg(operation: "avcodec_alloc_context3", message: "out of memory")
        }
        raw = context
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVCodecContext>? = raw
        avcodec_free_context(&pointer)
    }
}

/// Owns one `SwsContext`, freed in `deinit` and nowhere else.
final class ScalerContext {
    let raw: OpaquePointer

    init(from source: (width: Int32, height: Int32, format: AVPixelFormat),
         to target: (width: Int32, height: Int32, format: AVPixelFormat)) throws(TranscodeError) {
        guard let context = sws_getContext(source.width, source.height, source.format, target.width, target.height,
                                           target.format, SWS_BICUBIC, nil, nil, nil) else {
            throw .ffmpeg(operation: "sws_getContext", message: "unsupported conversion \(source) → \(target)")
        }
        raw = context
    }

    deinit { sws_freeContext(raw) }
}
