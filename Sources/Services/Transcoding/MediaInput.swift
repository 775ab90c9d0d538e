internal import CFFmpeg

/// An opened media file (any container libavformat reads), its best video stream and first audio stream.
/// Owns its `AVFormatContext`, closed in `deinit` and nowhere else.
final class MediaInput {
    let context: UnsafeMutablePointer<AVFormatContext>
    let path: String
    let videoIndex: Int32
    let audioIndex: Int32?

    init(path: String) throws(TranscodeError) {
        self.path = path
        var opened: UnsafeMutablePointer<AVFormatContext>?
        let status = avformat_open_input(&opened, path, nil, nil)
        guard status >= 0, let opened else { throw .cannotOpen(path: path, reason: TranscodeError.message(status)) }
        context = opened
        let found = avformat_find_stream_info(opened, nil)
        guard found >= 0 else {
            var pointer: UnsafeMutablePointer<AVFormatContext>? = opened
            avformat_close_input(&pointer)
            throw .cannotOpen(path: path, reason: TranscodeError.message(found))
        }
        let video = av_find_best_stream(opened, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard video >= 0 else {
            var pointer: UnsafeMutablePointer<AVFormatContext>? = opened
            avformat_close_input(&pointer)
            throw .noVideoStream(path: path)
        }
        videoIndex = video
        let audio = av_find_best_stream(opened, AVMEDIA_TYPE_AUDIO, -1, video, nil, 0)
        audioIndex = audio >= 0 ? audio : nil
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&pointer)
    }

    func stream(_ index: Int32) -> UnsafeMutablePointer<AVStream> { context.pointee.streams[Int(index)]! }
    var videoStream: UnsafeMutablePointer<AVStream> { stream(videoIndex) }
    var audioStream: UnsafeMutablePointer<AVStream>? { audioIndex.map(stream) }

    /// Reads the next packet; false at the end. A read error other than end of file throws.
    func read(into packet: Packet) throws(TranscodeError) -> Bool {
        let status = av_read_frame(context, packet.raw)
        if status == sf_averror_eof() { return false }
        try TranscodeError.check(status, "reading \(path)")
        return true
    }
}

/// An MPEG-TS file being written: its streams, header, interleaved packets and trailer.
/// Owns its `AVFormatContext` and I/O context, released in `deinit` if `finish` was not reached.
final class TSMuxer {
    let context: UnsafeMutablePointer<AVFormatContext>
    let path: String
    private var finished = false
    private var headerWritten = false

    /// Added to every timestamp written (microseconds), so a source whose first decode timestamps are negative
    /// (B-frame delay, audio priming) still writes non-negative ones, with the same shift in every segment.
    let shift: Int64

    init(path: String, shiftMicroseconds: Int64 = 0) throws(TranscodeError) {
        self.path = path
        shift = shiftMicroseconds
        var created: UnsafeMutablePointer<AVFormatContext>?
        try TranscodeError.check(avformat_alloc_output_context2(&created, nil, "mpegts", path), "creating \(path)")
        guard let created else { throw .ffmpeg(operation: "creating \(path)", message: "no context") }
        context = created
        // Never shift one segment's timestamps on its own: segments must line up end to start.
        created.pointee.avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED
    }

    deinit {
        if !finished {
            if headerWritten { av_write_trailer(context) }
            if context.pointee.pb != nil { avio_closep(&context.pointee.pb) }
        }
        avformat_free_context(context)
    }

    /// Adds a stream with the given codec parameters and time base; returns its index.
    @discardableResult
    func addStream(parameters: UnsafePointer<AVCodecParameters>, timeBase: AVRational) throws(TranscodeError) -> Int32 {
        guard let stream = avformat_new_stream(context, nil) else {
            throw .ffmpeg(operation: "avformat_new_stream", message: "out of memory")
        }
        try TranscodeError.check(avcodec_parameters_copy(stream.pointee.codecpar, parameters), "copying codec parameters")
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = timeBase
        return stream.pointee.index
    }

    func writeHeader() throws(TranscodeError) {
        try TranscodeError.check(avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE), "opening \(path) for writing")
        try TranscodeError.check(avformat_write_header(context, nil), "writing the header of \(path)")
        headerWritten = true
    }

    /// Writes `packet` (whose timestamps are in `timeBase`) to stream `index`; the packet is consumed.
    func write(_ packet: Packet, stream index: Int32, timeBase: AVRational) throws(TranscodeError) {
        packet.raw.pointee.stream_index = index
        if shift != 0 {
            let offset = av_rescale_q(shift, AVRational(num: 1, den: 1_000_000), timeBase)
            if packet.raw.pointee.pts != Int64.min { packet.raw.pointee.pts += offset }
            if packet.raw.pointee.dts != Int64.min { packet.raw.pointee.dts += offset }
        }
        av_packet_rescale_ts(packet.raw, timeBase, context.pointee.streams[Int(index)]!.pointee.time_base)
        packet.raw.pointee.pos = -1
        try TranscodeError.check(av_interleaved_write_frame(context, packet.raw), "writing to \(path)")
    }

    func finish() throws(TranscodeError) {
        guard !finished else { return }
        finished = true
        let trailer = av_write_trailer(context)
        avio_closep(&context.pointee.pb)
        try TranscodeError.check(trailer, "finishing \(path)")
    }
}
