import Foundation
import Synchronization
public import Transcoding

/// A stream's HLS output on disk, updated as segments are delivered: `{directory}/{profile}/{seq}.ts`, a media
/// playlist per profile (a sliding live window while the stream runs, every segment with ENDLIST once it
/// ends) and `master.m3u8`. Callers write one stream's segments in order (the stream's sessions serialise
/// them); each `append` or `finish` holds the playlists' lock while it writes, so the files match the entries.
public final class LiveOutput: Sendable {
    public let directory: String
    public let profiles: [VideoProfile]
    public let window: Int
    /// Each profile's playlist entries, in `profiles` order.
    private let entries: Mutex<[[HLSPlaylist.Entry]]>

    /// `resuming` are segments published before a restart (from the log), lowest seq first: those whose
    /// renditions are all still on disk are listed again, so the playlist carries on where it was.
    public init(directory: String, profiles: [VideoProfile], window: Int = 6,
                resuming: [PublishedSegments.Segment] = []) throws {
        self.directory = directory
        self.profiles = profiles
        self.window = window
        for profile in profiles {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(profile.name)", withIntermediateDirectories: true)
        }
        let kept = resuming.filter { segment in
            profiles.allSatisfy {
                FileManager.default.fileExists(atPath: "\(directory)/\($0.name)/\(Segmenter.fileName(Int(segment.seq)))")
            }
        }
        let resumed = Array(repeating: kept.map {
            HLSPlaylist.Entry(uri: Segmenter.fileName(Int($0.seq)), duration: Double($0.durationMs) / 1_000)
        }, count: profiles.count)
        entries = Mutex(resumed)
        if !kept.isEmpty { try publish(resumed, live: true) }
        try write(HLSPlaylist.master(profiles.map {
            HLSPlaylist.Variant(uri: "\($0.name)/index.m3u8", bandwidth: $0.bitrate, width: $0.width, height: $0.height)
        }), to: "master.m3u8")
    }

    /// Adds one delivered segment's renditions (one per profile, in order) and republishes the playlists.
    public func append(seq: Int64, duration: Double, renditions: [[UInt8]]) throws {
        let name = Segmenter.fileName(Int(seq))
        try entries.withLock { entries in
            for (index, profile) in profiles.enumerated() where index < renditions.count {
                try Data(renditions[index]).write(to: URL(fileURLWithPath: "\(directory)/\(profile.name)/\(name)"))
                entries[index].append(HLSPlaylist.Entry(uri: name, duration: duration))
            }
            try publish(entries, live: true)
        }
    }

    /// Ends the stream: every playlist lists all segments and ENDLIST.
    public func finish() throws { try entries.withLock { try publish($0, live: false) } }

    private func publish(_ entries: [[HLSPlaylist.Entry]], live: Bool) throws {
        for (index, profile) in profiles.enumerated() {
            try write(HLSPlaylist.media(entries[index], window: live ? window : nil), to: "\(profile.name)/index.m3u8")
        }
    }

    /// Writes through a temporary file and a rename, so a player never reads half a playlist.
    private func write(_ text: String, to relative: String) throws {
        let path = "\(directory)/\(relative)"
        let temporary = path + ".tmp"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }
}
