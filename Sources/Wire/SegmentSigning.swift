public import Foundation
public import EthCrypto

/// What the broadcaster signs for a segment and the orchestrator signs for its result, as go-livepeer does.
public enum SegmentSigning {
    /// go-livepeer's Segment.Flatten: manifestID ‖ leftpad32(seq) ‖ hash(32) ‖ lower-case hex of the profiles bytes.
    public static func flatten(manifestID: Data, seq: Int64, hash: Data, profiles: Data) -> [UInt8] {
        var out = Array(manifestID)
        out += UInt256(UInt64(bitPattern: seq)).bigEndianBytes
        out += Array(hash)
        out += Array(Hex.encode(profiles, prefix: false).utf8)
        return out
    }

    /// The segment's flattened bytes, as the broadcaster signs them (Ethereum signed-message form).
    public static func flatten(_ segment: Net_SegData) -> [UInt8] {
        flatten(manifestID: segment.manifestID, seq: segment.seq, hash: segment.hash, profiles: segment.profiles)
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
