public import EthCrypto
public import EventModel
import LMDB

/// The LMDB layout of one log (see docs/EVENT-LOG.md):
/// - `events`: u64 BE sequence → content ‖ previousHash(32) ‖ hash(32), appended in order
/// - `meta`: "head" → u64 BE sequence ‖ hash(32)
/// - `projections`: name → canonical JSON state; `checkpoints`: name → u64 BE sequence
/// The id, topic and key indexes live in a second environment (`IndexStore`, in `index/`); a log
/// of layout 1 also has an `ids` database here, no longer read or written.
struct LogDatabases: Sendable {
    let events: LMDBDatabase
    let meta: LMDBDatabase
    let projections: LMDBDatabase
    let checkpoints: LMDBDatabase

    static let headKey: [UInt8] = Array("head".utf8)

    init(environment: LMDBEnvironment) throws(LMDBError) {
        events = try environment.database("events", flags: [])
        meta = try environment.database("meta", flags: [])
        projections = try environment.database("projections", flags: [])
        checkpoints = try environment.database("checkpoints", flags: [])
    }

    /// The index key of one event key: a kind byte then the value.
    static func indexKey(_ kind: EventKeys.Kind, _ value: String) -> [UInt8] {
        [UInt8(EventKeys.Kind.allCases.firstIndex(of: kind)!)] + Array(value.utf8)
    }

    static func encodeSequence(_ sequence: UInt64) -> [UInt8] {
        withUnsafeBytes(of: sequence.bigEndian) { Array($0) }
    }

    static func decodeSequence(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard bytes.count >= 8 else { return 0 }
        return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
    }

    static func encodeHead(_ head: LogHead) -> [UInt8] { encodeSequence(head.sequence) + head.hash.bytes }

    static func decodeHead(_ bytes: UnsafeRawBufferPointer) -> LogHead? {
        guard bytes.count == 40, let hash = try? Hash32(unsafeBytes: UnsafeRawBufferPointer(rebasing: bytes[8..<40])) else { return nil }
        return LogHead(sequence: decodeSequence(bytes), hash: hash)
    }
}

/// One stored event without its payload parsed: cheap to scan, decoded on demand.
public struct StoredEvent: Sendable {
    public let sequence: UInt64
    /// The canonical content bytes (see `CanonicalEvent`).
    public let content: [UInt8]
    public let previousHash: Hash32
    public let hash: Hash32

    /// Splits a stored value; nil when it is too short to hold the two hashes.
    init?(sequence: UInt64, value: UnsafeRawBufferPointer) {
        guard value.count > 64,
              let previous = try? Hash32(unsafeBytes: UnsafeRawBufferPointer(rebasing: value[(value.count - 64)..<(value.count - 32)])),
              let hash = try? Hash32(unsafeBytes: UnsafeRawBufferPointer(rebasing: value[(value.count - 32)...]))
        else { return nil }
        self.sequence = sequence
        content = Array(UnsafeRawBufferPointer(rebasing: value[0..<(value.count - 64)]))
        previousHash = previous
        self.hash = hash
    }

    /// The hash this event should have, recomputed from its bytes.
    public var recomputedHash: Hash32 {
        CanonicalEvent.hash(content: content, sequence: sequence, previous: previousHash)
    }

    /// The full record with its payload parsed; content that does not decode is
    /// `EventLogError.corrupt` naming this event's sequence.
    public func record() throws(EventLogError) -> EventRecord {
        let decoded = content.withUnsafeBytes { buffer in
            Result { () throws(EventDecodingError) in try CanonicalEvent.decode(content: buffer) }
        }
        switch decoded {
        case .success(let envelope):
            return EventRecord(sequence: sequence, envelope: envelope, previousHash: previousHash, hash: hash)
        case .failure(let error):
            throw .corrupt(sequence: sequence, reason: error.description)
        }
    }
}
