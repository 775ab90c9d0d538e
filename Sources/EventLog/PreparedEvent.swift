public import EthCrypto
public import EventModel
import EventSchemas

/// An event checked and encoded by its producer, ready for the writer: validation, canonical
/// encoding and most of the hashing happen on the producer's thread, not the writer's.
public struct PreparedEvent: Sendable {
    public let envelope: EventEnvelope
    let content: [UInt8]
    let prefix: HashPrefix
    /// The id as the idempotency index key, computed by the producer.
    let idKey: [UInt8]

    /// Validates against the catalog (unless `validate` is false, for trusted bulk paths such as
    /// an import that has validated already) and encodes.
    public init(_ envelope: EventEnvelope, validate: Bool = true) throws(EventRejection) {
        if validate { try EventValidator.shared.validate(envelope) }
        self.envelope = envelope
        content = try CanonicalEvent.content(of: envelope)
        prefix = CanonicalEvent.prefix(content: content)
        idKey = Array(envelope.id.utf8)
    }

    /// The hash this event gets at `sequence` after `previous`.
    public func hash(sequence: UInt64, previous: Hash32) -> Hash32 {
        prefix.finish(sequence: sequence, previous: previous)
    }
}

/// What an append did with one event.
public enum AppendOutcome: Sendable, Equatable {
    /// Written at `sequence` with `hash`.
    case appended(sequence: UInt64, hash: Hash32)
    /// An event with this id was already in the log at `sequence`; nothing was written.
    /// `sameContent` tells whether the repeat carried the same bytes as the first.
    case duplicate(sequence: UInt64, sameContent: Bool)

    public var sequence: UInt64 {
        switch self {
        case .appended(let sequence, _), .duplicate(let sequence, _): sequence
        }
    }
}

/// The newest event's sequence and hash (0 and zero for an empty log).
public struct LogHead: Sendable, Equatable {
    public let sequence: UInt64
    public let hash: Hash32
    public static let empty = LogHead(sequence: 0, hash: .zero)

    public init(sequence: UInt64, hash: Hash32) {
        self.sequence = sequence
        self.hash = hash
    }
}
