public import Transcoding
public import Wire

extension VideoProfile {
    /// The profile a wire VideoProfile names (nameless ones are called WxH); throws when its sizes are invalid.
    public init(wire: Net_VideoProfile) throws(TranscodeError) {
        try self.init(name: wire.name.isEmpty ? "\(wire.width)x\(wire.height)" : wire.name, width: Int(wire.width),
                      height: Int(wire.height), bitrate: Int(wire.bitrate), fps: Int(max(1, wire.fps)))
    }

    /// This profile as go-livepeer's VideoProfile message (MPEG-TS, H.264).
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
