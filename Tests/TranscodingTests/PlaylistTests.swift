import Testing
@testable import Transcoding

/// HLS playlists and output sizes: pure functions, checked line by line.
@Suite("HLS playlists and sizes")
struct PlaylistTests {
    @Test("VOD media playlist lists every segment and ends; the live one keeps the last six")
    func mediaPlaylists() {
        let entries = (0..<9).map { HLSPlaylist.Entry(uri: Segmenter.fileName($0), duration: $0 == 4 ? 2.5 : 2.0) }
        let vod = HLSPlaylist.media(entries).split(separator: "\n").map(String.init)
        #expect(vod.first == "#EXTM3U" && vod.last == "#EXT-X-ENDLIST")
        #expect(vod.contains("#EXT-X-TARGETDURATION:3") && vod.contains("#EXT-X-MEDIA-SEQUENCE:0"))
        #expect(vod.filter { $0.hasPrefix("#EXTINF:") }.count == 9)
        let live = HLSPlaylist.media(entries, window: 6).split(separator: "\n").map(String.init)
        #expect(!live.contains("#EXT-X-ENDLIST") && live.contains("#EXT-X-MEDIA-SEQUENCE:3"))
        #expect(live.filter { $0.hasSuffix(".ts") } == (3..<9).map(Segmenter.fileName))
    }

    @Test("master playlist: highest bandwidth first, with resolutions")
    func master() {
        let text = HLSPlaylist.master([
            .init(uri: "P240p30fps16x9/index.m3u8", bandwidth: 600_000, width: 426, height: 240),
            .init(uri: "P720p30fps16x9/index.m3u8", bandwidth: 4_000_000, width: 1280, height: 720),
        ])
        #expect(text == """
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-STREAM-INF:BANDWIDTH=4000000,RESOLUTION=1280x720
            P720p30fps16x9/index.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=600000,RESOLUTION=426x240
            P240p30fps16x9/index.m3u8

            """)
    }

    @Test("output sizes: short side from the profile, aspect from the source, even, never upscaled")
    func sizes() throws {
        let p360 = try #require(VideoProfile.standard.first { $0.name == "P360p30fps16x9" })
        #expect(p360.outputSize(sourceWidth: 1920, sourceHeight: 1080) == (640, 360))
        #expect(p360.outputSize(sourceWidth: 1080, sourceHeight: 1920) == (360, 640))
        #expect(p360.outputSize(sourceWidth: 641, sourceHeight: 363) == (636, 360))
        #expect(p360.outputSize(sourceWidth: 320, sourceHeight: 180) == (320, 180))
        #expect(p360.outputSize(sourceWidth: 1440, sourceHeight: 1080) == (480, 360))
    }
}
