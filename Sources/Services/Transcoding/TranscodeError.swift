internal import CFFmpeg

/// Why a transcode could not start or finish; every case names what was wrong in one sentence.
public enum TranscodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case noVideoStream(path: String)
    case emptyInput(path: String)
    case unknownProfile(String)
    case noProfiles
    case invalidProfile(String)
    case encoderUnavailable(String)
    case ffmpeg(operation: String, message: String)
    case io(String)
    /// Stopped between packets because whoever asked for the segment gave it up (timeout, disconnect).
    case cancelled
    /// Two inputs that cannot be compared (sizes, pixel format, no frames).
    case incomparable(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open \(path) as media: \(reason)"
        case .noVideoStream(let path): "\(path) has no video stream"
        case .emptyInput(let path): "\(path) holds no video frames"
        case .unknownProfile(let name): "unknown profile \(name) (known: \(VideoProfile.standard.map(\.name).joined(separator: ", ")), or WxH:BITRATE[:FPS])"
        case .noProfiles: "the profile list is empty"
        case .invalidProfile(let reason): "invalid profile: \(reason)"
        case .encoderUnavailable(let name): "encoder \(name) is not available"
        case .ffmpeg(let operation, let message): "\(operation) failed: \(message)"
        case .io(let reason): reason
        case .cancelled: "the transcode was stopped: its segment was given up"
        case .incomparable(let reason): "cannot compare: \(reason)"
        }
    }

    /// libav's message for an error code.
    static func message(_ code: Int32) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            _ = av_strerror(code, buffer.baseAddress!, 256)
            return String(cString: buffer.baseAddress!)
        }
    }

    /// Throws `.ffmpeg` when `code` is negative.
    static func check(_ code: Int32, _ operation: String) throws(TranscodeError) {
        if code < 0 { throw .ffmpeg(operation: operation, message: message(code)) }
    }
}
