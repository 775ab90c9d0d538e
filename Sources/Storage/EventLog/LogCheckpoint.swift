public import EthCrypto
public import EventModel

/// A signed checkpoint: the node's Ethereum key over (sequence, hash of the event at that sequence).
/// It anchors the hash chain up to `sequence` to a key, so a re-chained copy cannot pass for it.
public struct LogCheckpoint: Sendable, Equatable {
    public static let eventType = LogCheckpointSigned.type
    /// Prefixed to every signed checkpoint so the signature can mean nothing else.
    public static let domain = Array("streamflow.log.checkpoint.v1".utf8)

    public let sequence: UInt64
    public let headHash: Hash32
    public let signer: Address
    public let signature: Signature

    /// The message signed (with the Ethereum signed-message prefix): keccak256(domain ‖ u64 BE sequence ‖ hash).
    public static func message(sequence: UInt64, headHash: Hash32) -> [UInt8] {
        Keccak256.hash(domain + withUnsafeBytes(of: sequence.bigEndian) { Array($0) } + headHash.bytes).bytes
    }

    /// Signs `head` with `key`.
    public static func sign(_ head: LogHead, with key: PrivateKey) throws(EthCryptoError) -> LogCheckpoint {
        LogCheckpoint(sequence: head.sequence, headHash: head.hash, signer: key.address,
                      signature: try key.signMessage(message(sequence: head.sequence, headHash: head.hash)))
    }

    init(sequence: UInt64, headHash: Hash32, signer: Address, signature: Signature) {
        self.sequence = sequence
        self.headHash = headHash
        self.signer = signer
        self.signature = signature
    }

    /// Reads a `log.checkpoint` envelope; nil for other types, a typed reason for a malformed one.
    public init?(envelope: EventEnvelope) throws(CheckpointError) {
        let decoded: LogCheckpointSigned?
        do { decoded = try LogCheckpointSigned.decoded(from: envelope) } catch { throw .malformed }
        guard let event = decoded else { return nil }
        self.init(sequence: event.sequence, headHash: event.headHash, signer: event.signer, signature: event.sig)
    }

    /// Checks the signature recovers to `signer` (and to `trusted`, when one is required).
    public func checkSignature(trusted: Address? = nil) throws(CheckpointError) {
        let recovered: Address
        do { recovered = try signature.recoverSigner(message: Self.message(sequence: sequence, headHash: headHash)) } catch {
            throw .badSignature("\(error)")
        }
        guard recovered == signer else { throw .wrongSigner(recovered: recovered, claimed: signer) }
        if let trusted, signer != trusted { throw .untrustedSigner(signer: signer, trusted: trusted) }
    }

    /// The event that records this checkpoint (id `checkpoint:<sequence>:<signer>`, so it is recorded once).
    public func envelope(timestamp: Int64) -> EventEnvelope {
        LogCheckpointSigned(sequence: sequence, headHash: headHash, signer: signer, sig: signature)
            .envelope(id: "checkpoint:\(sequence):\(signer.checksummed)", keys: EventKeys(orchestrator: signer.checksummed), timestamp: timestamp)
    }
}

/// Why a checkpoint was refused.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed
    case badSignature(String)
    case wrongSigner(recovered: Address, claimed: Address)
    case untrustedSigner(signer: Address, trusted: Address)
    /// The checkpoint names a sequence past the events before it.
    case ahead(sequence: UInt64, at: UInt64)
    /// The event at the checkpoint's sequence has another hash: the history was rewritten.
    case contradicted(sequence: UInt64, signed: Hash32, found: Hash32)
    /// A trusted signer was required and no checkpoint is signed by it.
    case noTrustedCheckpoint(trusted: Address)

    public var description: String {
        switch self {
        case .malformed: "log.checkpoint payload does not read as a checkpoint"
        case .badSignature(let reason): "checkpoint signature does not recover: \(reason)"
        case .wrongSigner(let recovered, let claimed): "checkpoint signature recovers to \(recovered), not its signer \(claimed)"
        case .untrustedSigner(let signer, let trusted): "checkpoint signed by \(signer), not the trusted \(trusted)"
        case .ahead(let sequence, let at): "checkpoint at \(at) names sequence \(sequence), which is not before it"
        case .contradicted(let sequence, let signed, let found):
            "checkpoint signed hash \(signed) for sequence \(sequence), but that event's hash is \(found): the history was rewritten"
        case .noTrustedCheckpoint(let trusted): "no checkpoint is signed by the trusted \(trusted): nothing anchors this log to it"
        }
    }
}
