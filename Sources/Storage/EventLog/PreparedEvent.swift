public import EthCrypto
public import EventModel
import EventSchemas
public import JSONCore

/// An event checked and encoded to its content bytes, not yet hashed.
public struct EncodedEvent: Sendable {
    public let header: EventHeader
    let content: [UInt8]

    /// Validates against the catalog (unless `validate` is false, for trusted bulk paths such as
    /// an import that has validated already) and encodes.
    public init(_ envelope: EventEnvelope, validate: Bool = true) throws(EventRejection) {
        if validate { try EventValidator.shared.validate(envelope) }
        header = envelope.header
        content = try CanonicalEvent.content(of: envelope)
    }

    /// An event whose payload arrived as canonical JSON, the value at `index` on `tape`: validated on the
    /// tape and its bytes kept as they are. The same content, and the same refusals, as the envelope form.
    public init(_ header: EventHeader, payload tape: CanonicalTape, at index: Int) throws(EventRejection) {
        try EventValidator.shared.validate(header, payload: tape, at: index)
        let range = tape.range(of: index)
        content = try tape.bytes.withUnsafeBufferPointer { buffer throws(EventRejection) in
            try CanonicalEvent.content(of: header, canonicalPayload: UnsafeBufferPointer(rebasing: buffer[range]))
        }
        self.header = header
    }
}

/// An event checked and encoded by its producer, ready for the writer: validation, canonical
/// encoding and most of the hashing happen on the producer's thread, not the writer's.
public struct PreparedEvent: Sendable {
    public let header: EventHeader
    let content: [UInt8]
    let prefix: HashPrefix
    /// The id as the idempotency index key, computed by the producer.
    let idKey: IDKey

    /// Validates against the catalog (unless `validate` is false) and encodes; see `EncodedEvent`.
    public init(_ envelope: EventEnvelope, validate: Bool = true) throws(EventRejection) {
        self.init(try EncodedEvent(envelope, validate: validate))
    }

    /// Hashes one encoded event.
    public init(_ encoded: EncodedEvent) {
        self.init(encoded, prefix: CanonicalEvent.prefix(content: encoded.content))
    }

    private init(_ encoded: EncodedEvent, prefix: HashPrefix) {
        header = encoded.header
        content = encoded.content
        self.prefix = prefix
        idKey = IDKey(Array(encoded.header.id.utf8))
    }

    /// Hashes encoded events together, eight per permutation where the CPU allows: what a batch gains.
    public static func hashing(_ encoded: [EncodedEvent]) -> [PreparedEvent] {
        zip(encoded, CanonicalEvent.prefixes(contents: encoded.map(\.content))).map { PreparedEvent($0, prefix: $1) }
    }

    /// Prepares a batch: all or nothing (the first refusal is thrown), hashed together.
    public static func prepare(_ envelopes: some Collection<EventEnvelope>, validate: Bool = true) throws(EventRejection) -> [PreparedEvent] {
        var encoded: [EncodedEvent] = []
        encoded.reserveCapacity(envelopes.count)
        for envelope in envelopes { encoded.append(try EncodedEvent(envelope, validate: validate)) }
        return hashing(encoded)
    }

    /// Prepares each envelope on its own terms: a refusal stays with its envelope, the rest are
    /// hashed together as in `prepare`.
    public static func prepareEach(_ envelopes: [EventEnvelope], validate: Bool = true) -> [Result<PreparedEvent, EventRejection>] {
        let encoded = envelopes.map { envelope in
            Result { () throws(EventRejection) -> EncodedEvent in try EncodedEvent(envelope, validate: validate) }
        }
        var prepared = hashing(encoded.compactMap { try? $0.get() }).makeIterator()
        return encoded.map { result in result.map { _ in prepared.next()! } }
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
