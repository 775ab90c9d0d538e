import EthCrypto
import EventLog
import EventModel

/// Follows a hash chain as verify or import walks it, and checks each `log.checkpoint` against
/// the events before it: its signature recovers to its signer (and to the trusted address, if
/// one is required), and the event at its sequence has exactly the hash it signed.
struct CheckpointTrail {
    /// hashes[i] is the hash of event i + 1.
    private var hashes: [Hash32] = []
    let trusted: Address?
    private(set) var count = 0
    /// The highest sequence a valid checkpoint covers (0: none).
    private(set) var lastSigned: UInt64 = 0

    init(trusted: Address?) { self.trusted = trusted }

    /// Takes the next event of the chain (at `sequence`, with `hash`), checking it if it is a checkpoint.
    mutating func record(sequence: UInt64, hash: Hash32, envelope: EventEnvelope) throws(CheckpointError) {
        if let checkpoint = try LogCheckpoint(envelope: envelope) {
            try checkpoint.checkSignature(trusted: trusted)
            guard checkpoint.sequence >= 1, checkpoint.sequence < sequence, checkpoint.sequence <= UInt64(hashes.count) else {
                throw .ahead(sequence: checkpoint.sequence, at: sequence)
            }
            let found = hashes[Int(checkpoint.sequence - 1)]
            guard found == checkpoint.headHash else {
                throw .contradicted(sequence: checkpoint.sequence, signed: checkpoint.headHash, found: found)
            }
            count += 1
            lastSigned = max(lastSigned, checkpoint.sequence)
        }
        hashes.append(hash)
    }

    /// At the end of the walk: with a trusted signer required, at least one checkpoint must be its.
    func finish() throws(CheckpointError) {
        if let trusted, count == 0 { throw .noTrustedCheckpoint(trusted: trusted) }
    }
}
