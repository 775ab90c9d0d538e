import Foundation

/// One rendition of the ladder: a frame size, a bitrate and a maximum frame rate. The standard names are
/// go-livepeer's (P360p30fps16x9 …); custom profiles are written WxH:BITRATE[:FPS] (bitrate in bits/s, or
/// with a k or M suffix).
public struct VideoProfile: Sendable, Hashable, Codable {
    public let name: String
    public let width: Int
    public let height: Int
    public let bitrate: Int
    public let fps: Int
    /// Keyframe interval in frames (every two seconds at `fps`; segments also start with one).
    public var gop: Int { max(1, fps * 2) }

    public init(name: String, width: Int, height: Int, bitrate: Int, fps: Int) throws(TranscodeError) {
        guard width >= 16, height >= 16, width <= 7_680, height <= 4_320 else {
            throw .invalidProfile("\(name): size \(width)x\(height) is outside 16x16 … 7680x4320")
        }
        guard bitrate >= 10_000, bitrate <= 200_000_000 else { throw .invalidProfile("\(name): bitrate \(bitrate) b/s") }
        guard fps >= 1, fps <= 120 else { throw .invalidProfile("\(name): \(fps) fps") }
        self.name = name
        self.width = width
        self.height = height
        self.bitrate = bitrate
        self.fps = fps
    }

    private init(_ name: String, _ width: Int, _ height: Int, _ kilobits: Int, _ fps: Int) {
        self.name = name
        self.width = width
        self.height = height
        bitrate = kilobits * 1_000
        self.fps = fps
    }

    /// go-livepeer's profile names and settings, plus P480p30fps16x9.
    public static let standard: [VideoProfile] = [
        VideoProfile("P1080p30fps16x9", 1920, 1080, 6_000, 30),
        VideoProfile("P720p60fps16x9", 1280, 720, 6_000, 60),
        VideoProfile("P720p30fps16x9", 1280, 720, 4_000, 30),
        VideoProfile("P720p25fps16x9", 1280, 720, 3_500, 25),
        VideoProfile("P720p30fps4x3", 960, 720, 3_500, 30),
        VideoProfile("P576p30fps16x9", 1024, 576, 1_500, 30),
        VideoProfile("P576p25fps16x9", 1024, 576, 1_500, 25),
        VideoProfile("P480p30fps16x9", 854, 480, 1_600, 30),
        VideoProfile("P360p30fps16x9", 640, 360, 1_200, 30),
        VideoProfile("P360p25fps16x9", 640, 360, 1_000, 25),
        VideoProfile("P360p30fps4x3", 480, 360, 1_000, 30),
        VideoProfile("P240p30fps16x9", 426, 240, 600, 30),
        VideoProfile("P240p25fps16x9", 426, 240, 600, 25),
        VideoProfile("P240p30fps4x3", 320, 240, 600, 30),
        VideoProfile("P144p30fps16x9", 256, 144, 400, 30),
        VideoProfile("P144p25fps16x9", 256, 144, 400, 25),
        VideoProfile("P144p30fps4x3", 192, 144, 400, 30),
    ]

    /// Parses a comma-separated list of names or WxH:BITRATE[:FPS]; refuses an empty list or an unknown name.
    public static func parseList(_ text: String) throws(TranscodeError) -> [VideoProfile] {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !items.isEmpty else { throw .noProfiles }
        var profiles: [VideoProfile] = []
        for item in items {
            if let known = standard.first(where: { $0.name == item }) {
                profiles.append(known)
            } else if item.first?.isNumber == true {
                profiles.append(try custom(item))
            } else {
                throw .unknownProfile(item)
            }
        }
        guard Set(profiles.map(\.name)).count == profiles.count else { throw .invalidProfile("a profile is listed twice") }
        return profiles
    }

    /// WxH:BITRATE[:FPS], named as written.
    static func custom(_ text: String) throws(TranscodeError) -> VideoProfile {
        let parts = text.split(separator: ":").map(String.init)
        let size = parts.first?.split(separator: "x").compactMap { Int($0) } ?? []
        guard parts.count >= 2, parts.count <= 3, size.count == 2, let bitrate = parseBitrate(parts[1]) else {
            throw .unknownProfile(text)
        }
        let fps = parts.count == 3 ? Int(parts[2]) : 30
        guard let fps else { throw .invalidProfile("\(text): frame rate must be an integer") }
        return try VideoProfile(name: "\(size[0])x\(size[1])_\(bitrate / 1_000)k_\(fps)fps", width: size[0], height: size[1],
                                bitrate: bitrate, fps: fps)
    }

    private static func parseBitrate(_ text: String) -> Int? {
        if text.hasSuffix("k") { return Int(text.dropLast()).map { $0 * 1_000 } }
        if text.hasSuffix("M") { return Int(text.dropLast()).map { $0 * 1_000_000 } }
        return Int(text)
    }

    /// The output size for a source: the profile's short side becomes the output's short side, the long side
    /// follows the source's aspect ratio (so portrait sources stay portrait), both even (4:2:0 needs it).
    public func outputSize(sourceWidth: Int, sourceHeight: Int) -> (width: Int, height: Int) {
        let shortSide = min(width, height)
        let even = { (value: Double) in max(2, Int((value / 2).rounded()) * 2) }
        if sourceWidth >= sourceHeight {
            let height = min(shortSide, even(Double(sourceHeight)))
            return (even(Double(height) * Double(sourceWidth) / Double(sourceHeight)), even(Double(height)))
        }
        let width = min(shortSide, even(Double(sourceWidth)))
        return (even(Double(width)), even(Double(width) * Double(sourceHeight) / Double(sourceWidth)))
    }
}
