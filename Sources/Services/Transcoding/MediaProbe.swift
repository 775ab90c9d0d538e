internal import CFFmpeg
import Foundation

/// What libavformat says of a media file without decoding it: its video size and duration. Used to refuse a
/// pushed body that is not video, or whose length is far from the one declared, before anything is paid.
public enum MediaProbe {
    /// A probed file's video stream.
    public struct Info: Sendable, Equatable {
        public let width: Int
        public let height: Int
        /// Seconds, when the container states or libavformat can estimate it.
        public let durationSeconds: Double?
    }

    /// Opens `path` and reads its stream info; throws `cannotOpen` or `noVideoStream` for anything else.
    public static func probe(path: String) throws(TranscodeError) -> Info {
        let input = try MediaInput(path: path)
        let parameters = input.videoStream.pointee.codecpar.pointee
        let duration = input.context.pointee.duration
        return Info(width: Int(parameters.width), height: Int(parameters.height),
                    durationSeconds: duration > 0 ? Double(duration) / Double(AV_TIME_BASE) : nil)
    }
}
