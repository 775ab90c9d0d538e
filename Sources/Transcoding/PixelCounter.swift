internal import CFFmpeg

/// Decodes a rendition and counts its frames and Σ width·height: what a broadcaster compares with the
/// pixel count an orchestrator reported (and was paid for).
public enum PixelCounter {
    public struct Count: Sendable, Hashable, Codable {
        public let frames: Int
        public let pixels: Int
        public let width: Int
        public let height: Int
    }

    public static func count(path: String) throws(TranscodeError) -> Count {
        let input = try MediaInput(path: path)
        let decoder = try VideoDecoder(stream: input.videoStream)
        let packet = try Packet()
        let frame = try Frame()
        var frames = 0, pixels = 0, width = 0, height = 0
        func drain() throws(TranscodeError) {
            while try decoder.receive(into: frame) {
                frames += 1
                width = Int(frame.raw.pointee.width)
                height = Int(frame.raw.pointee.height)
                pixels += width * height
                av_frame_unref(frame.raw)
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
        return Count(frames: frames, pixels: pixels, width: width, height: height)
    }
}
