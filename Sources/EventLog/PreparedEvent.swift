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
    let idKey: IDKey

    /// Validates against the catalog (unless `validate` is false, for trusted bulk paths such as
    /// an import that has validated already) and encodes.
    public init(_ envelope: EventEnvelope, validate: Bool = true) throws(EventRejection) {
        let content = try Self.encode(envelope, validate: validate)
        self.init(envelope: envelope, content: content, prefix: CanonicalEvent.prefix(content: content))
    }

    private init(envelope: EventEnvelope, content: [UInt8], prefix: HashPrefix) {
        self.envelope = envelope
        self.content = content
        self.prefix = prefix
        idKey = IDKey(Array(envelope.id.utf8))
    }

    /// Prepares a batch: all or nothing (the first refusal is thrown). The contents are hashed
    /// together, eight per permutation where the CPU allows, which is what a batch gains.
    public static func prepare(_ envelopes: some Collection<EventEnvelope>, validate: Bool = true) throws(EventRejection) -> [PreparedEvent] {
        var contents: [[UInt8]] = []
        contents.reserveCapacity(envelopes.count)
        for envelope in envelopes { contents.append(try encode(envelope, validate: validate)) }
        return zip(zip(envelopes, contents), CanonicalEvent.prefixes(contents: contents)).map { pair, prefix in
            PreparedEvent(envelope: pair.0, content: pair.1, prefix: prefix)
        }
    }

    /// Prepares each envelope on its own terms: a refusal stays with its envelope, the rest are
    /// hashed together as in `prepare`.
    public static func prepareEach(_ envelopes: [EventEnvelope], validate: Bool = true) -> [Result<PreparedEvent, EventRejection>] {
        let contents = envelopes.map { envelope in
            Result { () throws(EventRejection) -> [UInt8] in try encode(envelope, validate: validate) }
        }
        let accepted = contents.compactMap { try? $0.get() }
        var prefixes = CanonicalEvent.prefixes(contents: accepted).makeIterator()
        return zip(envelopes, contents).map { envelope, content in
            content.map { PreparedEvent(envelope: envelope, content: $0, prefix: prefixes.next()!) }
        }
    }

    /// Checks (unless `validate` is false) and encodes one envelope: the producer's per-event work.
    private static func encode(_ envelope: EventEnvelope, validate: Bool) throws(EventRejection) -> [UInt8] {
        if validate { try EventValidator.shared.validate(envelope) }
        return try CanonicalEvent.content(of: envelope)
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
