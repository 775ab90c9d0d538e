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
        var frames = 0, pixels = 0, width = 0, height = 0
        try DecodedFrames.forEach(path: path) { frame in
            frames += 1
            width = Int(frame.pointee.width)
            height = Int(frame.pointee.height)
            pixels += width * height
        }
        return Count(frames: frames, pixels: pixels, width: width, height: height)
    }
}
