public import Foundation
public import EthCrypto

/// What the broadcaster signs for a segment and the orchestrator signs for its result, as go-livepeer does
/// (core/streamdata.go `Flatten`, core/broadcaster.go `Sign`: personal_sign over keccak256 of the flatten).
public enum SegmentSigning {
    /// What go-livepeer's broadcaster puts in SegData's legacy `profiles` bytes so that nodes which cannot read
    /// the full profiles fail loudly (core/streamdata.go `NetSegData`).
    public static let legacyProfilesMarker = Data("invalid".utf8)

    /// The profiles an orchestrator transcodes to, as go-livepeer reads them: fullProfiles3, else fullProfiles2,
    /// else fullProfiles (server/rpc.go `coreSegMetadata`).
    public static func profiles(of segment: Net_SegData) -> [Net_VideoProfile] {
        if !segment.fullProfiles3.isEmpty { return segment.fullProfiles3 }
        if !segment.fullProfiles2.isEmpty { return segment.fullProfiles2 }
        return segment.fullProfiles
    }

    /// go-livepeer's Flatten: manifestID ‖ leftpad32(seq) ‖ hash ‖ ProfilesToHex(profiles), where each profile
    /// contributes the lower-case hex of keccak256(name)[0..<4].
    public static func flatten(manifestID: Data, seq: Int64, hash: Data, profileNames: [String]) -> [UInt8] {
        var out = Array(manifestID)
        out += UInt256(UInt64(bitPattern: seq)).bigEndianBytes
        out += Array(hash)
        var options: [UInt8] = []
        for name in profileNames { options += Keccak256.hash(Array(name.utf8)).bytes.prefix(4) }
        out += Array(Hex.encode(options, prefix: false).utf8)
        return out
    }

    /// The segment's flatten, from the profiles go-livepeer would read out of it.
    public static func flatten(_ segment: Net_SegData) -> [UInt8] {
        flatten(manifestID: segment.manifestID, seq: segment.seq, hash: segment.hash,
                profileNames: profiles(of: segment).map(\.name))
    }

    /// The 32 bytes a broadcaster's key signs (in the Ethereum signed-message form): keccak256(Flatten).
    public static func message(_ segment: Net_SegData) -> [UInt8] {
        Keccak256.hash(flatten(segment)).bytes
    }

    /// Signs `segment` as go-livepeer's broadcaster does, setting its `sig`.
    public static func sign(_ segment: inout Net_SegData, key: PrivateKey) throws(EthCryptoError) {
        segment.sig = Data(try key.signMessage(message(segment)).bytes)
    }

    /// True when `segment.sig` is `sender`'s signature over the segment.
    public static func isSigned(_ segment: Net_SegData, by sender: Address) -> Bool {
        guard let signature = try? Signature(bytes: segment.sig) else { return false }
        return signature.isValid(message: message(segment), signer: sender)
    }

    /// keccak256(keccak256(r₁) ‖ … ‖ keccak256(rₙ)): what an orchestrator signs over its renditions' bytes.
    public static func resultMessage(renditionHashes: [Hash32]) -> Hash32 {
        var hasher = Keccak256()
        for hash in renditionHashes { hash.withUnsafeBytes { hasher.update($0) } }
        return hasher.finalize()
    }
}

/// The broadcaster's session credential from the orchestrator: HMAC-SHA256(secret, sessionID ‖ expiration),
/// valid for 30 minutes.
public enum AuthTokens {
    public static let lifetimeSeconds: Int64 = 30 * 60

    public static func make(secret: [UInt8], sessionID: String, expiration: Int64) -> Net_AuthToken {
        var token = Net_AuthToken()
        token.sessionID = sessionID
        token.expiration = expiration
        token.token = Data(mac(secret: secret, sessionID: sessionID, expiration: expiration).bytes)
        return token
    }

    /// True when the token is ours, for its session, and not expired at `now` (seconds).
    public static func isValid(_ token: Net_AuthToken, secret: [UInt8], now: Int64) -> Bool {
        guard token.expiration > now else { return false }
        return Array(token.token) == mac(secret: secret, sessionID: token.sessionID, expiration: token.expiration).bytes
    }

    static func mac(secret: [UInt8], sessionID: String, expiration: Int64) -> Hash32 {
        HMACSHA256.authenticate(key: secret, message: Array(sessionID.utf8) + UInt256(UInt64(bitPattern: expiration)).minimalBigEndianBytes)
    }
}
