internal import CFFmpeg

/// Decodes every video frame of a file in order and hands each to a visitor (then unrefs it): the one
/// decode loop that pixel counting and frame comparison share.
enum DecodedFrames {
    static func forEach(path: String, _ visit: (UnsafeMutablePointer<AVFrame>) throws(TranscodeError) -> Void) throws(TranscodeError) {
        let input = try MediaInput(path: path)
        let decoder = try VideoDecoder(stream: input.videoStream)
        let packet = try Packet()
        let frame = try Frame()
        func drain() throws(TranscodeError) {
            while try decoder.receive(into: frame) {
                defer { av_frame_unref(frame.raw) }
                try visit(frame.raw)
            }
        }
        while try input.read(into: packet) {
            if packet.raw.pointee.stream_index == input.videoIndex {
                try decoder.send(packet)
                try drain()
            }
            av_packet_unref(packet.raw)
        }
        try decoder.send(nil)
        try drain()
    }
}
