/// go-livepeer's capability discovery (core/capabilities.go): numbered capabilities packed into a bitstring of
/// 64-bit words, an orchestrator's advertised set, a job's required set, and the compatibility rule between them.
public enum LivepeerCapabilities {
    /// The capability numbers Streamflow uses (go-livepeer's `Capability_*` constants; the numbers are the wire).
    public enum Capability: Int, Sendable, CaseIterable {
        case h264 = 0, mpegts = 1, mp4 = 2, fractionalFramerates = 3, storageDirect = 4, storageS3 = 5, storageGCS = 6
        case profileH264Baseline = 7, profileH264Main = 8, profileH264High = 9, profileH264ConstrainedHigh = 10
        case gop = 11, authToken = 12, mpeg7VideoSignature = 14, segmentSlicing = 26
    }

    /// go-livepeer's release whose wire this follows; sent as `Capabilities.version`, which broadcasters compare
    /// with their `-orchMinLivepeerVersion`.
    public static let compatibleVersion = "0.9.1"

    /// What a Streamflow orchestrator does: H.264 in and out, MPEG-TS output, renditions served by the orchestrator
    /// itself (direct storage), auth tokens. Perceptual hashes (MPEG7), MP4, GOP, encoder profiles, fractional
    /// frame rates and segment slicing are not offered, so jobs that need them go elsewhere.
    public static let offered: [Capability] = [.h264, .mpegts, .storageDirect, .authToken]

    /// The capabilities an H.264 MPEG-TS live job needs, as go-livepeer's `JobCapabilities` computes them for
    /// one (auth token, H.264 decode and encode, MPEG-TS output).
    public static let liveJob: [Capability] = [.authToken, .h264, .mpegts]

    /// The capabilities go-livepeer assumes every node has, with or without discovery (`legacyCapabilities`).
    public static let legacy: [Capability] = [.h264, .mpegts, .mp4, .fractionalFramerates, .storageDirect, .storageS3,
                                              .storageGCS, .profileH264Baseline, .profileH264Main, .profileH264High,
                                              .profileH264ConstrainedHigh, .gop]

    /// The bitstring of `capabilities`: capability n sets bit n % 64 of word n / 64.
    public static func bitstring(_ capabilities: [Capability]) -> [UInt64] {
        var words: [UInt64] = []
        for capability in capabilities {
            let word = capability.rawValue / 64
            while words.count <= word { words.append(0) }
            words[word] |= 1 << UInt64(capability.rawValue % 64)
        }
        return words
    }

    /// go-livepeer's `CapabilityString.CompatibleWith`: every bit of `required` is in `offered`.
    public static func covers(_ offered: [UInt64], _ required: [UInt64]) -> Bool {
        guard required.count <= offered.count else { return false }
        return zip(required, offered).allSatisfy { $0 & $1 == $0 }
    }

    /// An orchestrator's advertisement as go-livepeer's `NewCapabilities(caps, nil).ToNetCapabilities()` builds
    /// it: the bitstring, each capability's capacity, no mandatories, the version and empty constraints.
    public static func advertisement(capacity: Int, version: String = compatibleVersion) -> Net_Capabilities {
        var capabilities = Net_Capabilities()
        capabilities.bitstring = bitstring(offered)
        for capability in offered { capabilities.capacities[UInt32(capability.rawValue)] = UInt32(clamping: max(1, capacity)) }
        capabilities.version = version
        capabilities.constraints = Net_Capabilities.Constraints()
        return capabilities
    }

    /// A job's requirements as a broadcaster sends them (SegData and OrchestratorRequest `capabilities`).
    public static func job(_ required: [Capability] = liveJob) -> Net_Capabilities {
        var capabilities = Net_Capabilities()
        capabilities.bitstring = bitstring(required)
        capabilities.constraints = Net_Capabilities.Constraints()
        return capabilities
    }

    /// go-livepeer's `Capabilities.CompatibleWith` without per-model constraints (none of ours carry any): the
    /// orchestrator's mandatories are all required by the job, and the job's bits are all offered. A job that
    /// names a minimum version is compatible only with an orchestrator at or above it.
    public static func isCompatible(job: Net_Capabilities, orchestrator: Net_Capabilities) -> Bool {
        guard versionSatisfies(orchestrator.version, minimum: job.constraints.minVersion) else { return false }
        return covers(job.bitstring, orchestrator.mandatories) && covers(orchestrator.bitstring, job.bitstring)
    }

    /// go-livepeer's discovery filter (discovery/discovery.go): an orchestrator that sends no capabilities passes
    /// only for a job that needs nothing beyond the legacy set.
    public static func passesDiscovery(job: Net_Capabilities, info: Net_OrchestratorInfo) -> Bool {
        guard info.hasCapabilities else { return covers(bitstring(legacy), job.bitstring) }
        return isCompatible(job: job, orchestrator: info.capabilities)
    }

    /// `version` ≥ `minimum`, comparing major.minor.patch numerically and ignoring pre-release suffixes; no
    /// minimum is always satisfied, and an empty or "undefined" version never satisfies one.
    static func versionSatisfies(_ version: String, minimum: String) -> Bool {
        if minimum.isEmpty { return true }
        guard let have = semver(version) else { return false }
        guard let need = semver(minimum) else { return true }
        return !have.lexicographicallyPrecedes(need)
    }

    private static func semver(_ text: String) -> [Int]? {
        var core = text.hasPrefix("v") ? String(text.dropFirst()) : text
        if let cut = core.firstIndex(where: { $0 == "-" || $0 == "+" }) { core = String(core[..<cut]) }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        return parts.compactMap { $0 } + Array(repeating: 0, count: 3 - parts.count)
    }
}
