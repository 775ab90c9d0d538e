public import Transcoding
public import Wire

extension VideoProfile {
    /// The profile as go-livepeer's wire message (SegData.fullProfiles) carries it.
    public var wire: Net_VideoProfile {
        var wire = Net_VideoProfile()
        wire.name = name
        wire.width = Int32(width)
        wire.height = Int32(height)
        wire.bitrate = Int32(bitrate)
        wire.fps = UInt32(fps)
        return wire
    }
}
