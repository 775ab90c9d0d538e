import Foundation

/// HLS playlists for a transcoded stream: a master playlist naming each rendition, and per rendition a media
/// playlist, either the whole stream (VOD, with #EXT-X-ENDLIST) or a live window of the last N segments.
public enum HLSPlaylist {
    public struct Entry: Sendable, Hashable {
        public let uri: String
        public let duration: Double
        public init(uri: String, duration: Double) {
            self.uri = uri
            self.duration = duration
        }
    }

    /// A media playlist; `window` keeps only the last N segments (live), nil keeps all (VOD).
    public static func media(_ entries: [Entry], window: Int? = nil) -> String {
        let shown = window.map { Array(entries.suffix($0)) } ?? entries
        let firstSequence = entries.count - shown.count
        let target = Int((shown.map(\.duration).max() ?? 0).rounded(.up))
        var lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:\(max(1, target))",
                     "#EXT-X-MEDIA-SEQUENCE:\(firstSequence)"]
        if window == nil { lines.append("#EXT-X-PLAYLIST-TYPE:VOD") }
        for entry in shown {
            lines.append(String(format: "#EXTINF:%.6f,", entry.duration))
            lines.append(entry.uri)
        }
        if window == nil { lines.append("#EXT-X-ENDLIST") }
        return lines.joined(separator: "\n") + "\n"
    }

    public struct Variant: Sendable, Hashable {
        public let uri: String
        public let bandwidth: Int
        public let width: Int
        public let height: Int
        public init(uri: String, bandwidth: Int, width: Int, height: Int) {
            self.uri = uri
            self.bandwidth = bandwidth
            self.width = width
            self.height = height
        }
    }

    /// The master playlist, highest bandwidth first.
    public static func master(_ variants: [Variant]) -> String {
        var lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
        for variant in variants.sorted(by: { $0.bandwidth > $1.bandwidth }) {
            lines.append("#EXT-X-STREAM-INF:BANDWIDTH=\(variant.bandwidth),RESOLUTION=\(variant.width)x\(variant.height)")
            lines.append(variant.uri)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
