internal import CFFmpeg

/// Decodes one video stream; persists across a stream's segments (flushed, not recreated, between them).
final class VideoDecoder {
    let context: CodecContext
    let codecID: AVCodecID

    init(stream: UnsafeMutablePointer<AVStream>) throws(TranscodeError) {
        let parameters = stream.pointee.codecpar!
        codecID = parameters.pointee.codec_id
        guard let codec = avcodec_find_decoder(codecID) else {
            throw .ffmpeg(operation: "finding a decoder", message: "no decoder for codec id \(codecID.rawValue)")
        }
        context = try CodecContext(codec: codec)
        try TranscodeError.check(avcodec_parameters_to_context(context.raw, parameters), "configuring the decoder")
        context.raw.pointee.pkt_timebase = stream.pointee.time_base
        context.raw.pointee.thread_count = 0
        try TranscodeError.check(avcodec_open2(context.raw, codec, nil), "opening the decoder")
    }

    /// Sends a packet, or nil to drain what is buffered.
    func send(_ packet: Packet?) throws(TranscodeError) {
        let status = avcodec_send_packet(context.raw, packet?.raw)
        if status == sf_averror_eof() { return }
        try TranscodeError.check(status, "decoding")
    }

    /// The next decoded frame; false when the decoder needs more input or is drained.
    func receive(into frame: Frame) throws(TranscodeError) -> Bool {
        let status = avcodec_receive_frame(context.raw, frame.raw)
        if status == sf_averror_eagain() || status == sf_averror_eof() { return false }
        try TranscodeError.check(status, "decoding")
        return true
    }

    /// Ready for the next segment after a drain.
    func reset() { avcodec_flush_buffers(context.raw) }
}

/// Owns one `AVCodecParameters`, freed in `deinit` and nowhere else.
final class CodecParameters {
    let raw: UnsafeMutablePointer<AVCodecParameters>

    init(encoder: CodecContext) throws(TranscodeError) {
        guard let parameters = avcodec_parameters_alloc() else {
            throw .ffmpeg(operation: "avcodec_parameters_alloc", message: "out of memory")
        }
        raw = parameters
        try TranscodeError.check(avcodec_parameters_from_context(raw, encoder.raw), "reading encoder parameters")
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVCodecParameters>? = raw
        avcodec_parameters_free(&pointer)
    }
}
