public import EthCrypto
import JSONCore

/// The documented byte form of an event, which its hash covers (see docs/EVENT-LOG.md):
///
///     content = "SFE1" ‖ str(id) ‖ str(type) ‖ u32(version) ‖ str(topic)
///               ‖ str(stream) ‖ str(session) ‖ str(orchestrator) ‖ str(sender)
///               ‖ i64(timestamp) ‖ str(canonical JSON payload)
///     hash    = keccak256(content ‖ u64(sequence) ‖ previousHash)
///
/// Integers are big-endian; str(x) = u32(byte length) ‖ UTF-8 bytes; an absent key is length 0
/// (empty keys are refused, so the two cannot be confused). The first event's previousHash is 32 zero bytes.
/// The content comes first so a producer can absorb it into the sponge before the log assigns the
/// sequence: the log's writer then only finishes the hash (`HashPrefix`).
public enum CanonicalEvent {
    static let magic: [UInt8] = Array("SFE1".utf8)

    /// The content bytes of a valid envelope; throws when a field breaks the envelope rules.
    public static func content(of envelope: EventEnvelope) throws(EventRejection) -> [UInt8] {
        var out = try header(envelope.header)
        let lengthOffset = out.count
        appendInteger(UInt32(0), to: &out)
        do { try CanonicalJSON.encode(envelope.payload, into: &out) } catch {
            throw .payloadNotCanonical("\(error)")
        }
        let payloadLength = UInt32(out.count - lengthOffset - 4)
        for index in 0..<4 { out[lengthOffset + index] = UInt8(truncatingIfNeeded: payloadLength >> (24 - 8 * UInt32(index))) }
        return out
    }

    /// The content bytes of a valid header and a payload that is canonical JSON already (the caller has
    /// checked it, e.g. with a `CanonicalTape`); the payload bytes are copied as they are.
    public static func content(of header: EventHeader, canonicalPayload payload: UnsafeBufferPointer<UInt8>) throws(EventRejection) -> [UInt8] {
        var out = try Self.header(header, extra: payload.count + 4)
        appendInteger(UInt32(payload.count), to: &out)
        out.append(contentsOf: payload)
        return out
    }

    /// Magic and header fields, after the envelope rules; room reserved for `extra` more bytes.
    private static func header(_ header: EventHeader, extra: Int = 300) throws(EventRejection) -> [UInt8] {
        try EnvelopeRules.check(header)
        var out: [UInt8] = []
        out.reserveCapacity(200 + extra)  // header and a typical payload without regrowing
        out.append(contentsOf: magic)
        appendString(header.id, to: &out)
        appendString(header.type, to: &out)
        appendInteger(UInt32(header.version), to: &out)
        appendString(header.topic.rawValue, to: &out)
        let keys = header.keys  // in EventKeys.Kind.allCases order
        appendString(keys.stream ?? "", to: &out)
        appendString(keys.session ?? "", to: &out)
        appendString(keys.orchestrator ?? "", to: &out)
        appendString(keys.sender ?? "", to: &out)
        appendInteger(UInt64(bitPattern: header.timestamp), to: &out)
        return out
    }

    /// The sponge after absorbing `content`: what a producer hands the writer.
    public static func prefix(content: [UInt8]) -> HashPrefix {
        var hasher = Keccak256()
        content.withUnsafeBytes { hasher.update($0) }
        return HashPrefix(hasher: hasher)
    }

    /// The sponges for many contents at once (eight per permutation where the CPU allows).
    public static func prefixes(contents: [[UInt8]]) -> [HashPrefix] {
        Keccak256.absorbing(contents).map { HashPrefix(hasher: $0) }
    }

    /// hash = keccak256(content ‖ u64(sequence) ‖ previousHash), in one call.
    public static func hash(content: [UInt8], sequence: UInt64, previous: Hash32) -> Hash32 {
        prefix(content: content).finish(sequence: sequence, previous: previous)
    }

    /// Parses content bytes back into an envelope (the payload is parsed as JSON and must be canonical).
    public static func decode(content: UnsafeRawBufferPointer) throws(EventDecodingError) -> EventEnvelope {
        var reader = ByteReader(content)
        guard try reader.bytes(4) == magic else { throw .badMagic }
        let id = try reader.string()
        let type = try reader.string()
        let version = try reader.u32()
        guard let topic = Topic(rawValue: try reader.string()) else { throw .unknownTopic }
        var keys = EventKeys()
        keys.stream = try reader.optionalString()
        keys.session = try reader.optionalString()
        keys.orchestrator = try reader.optionalString()
        keys.sender = try reader.optionalString()
        let timestamp = Int64(bitPattern: try reader.u64())
        let payloadLength = Int(try reader.u32())
        let payloadBytes = try reader.bytes(payloadLength)
        guard reader.isAtEnd else { throw .trailingBytes }
        let payload: JSONValue
        do { payload = try JSONParser.parse(payloadBytes) } catch { throw .badPayload("\(error)") }
        return EventEnvelope(id: id, type: type, version: Int(version), topic: topic, keys: keys,
                             timestamp: timestamp, payload: payload)
    }

    /// The topic and keys of stored content, without parsing the payload (for filtered scans).
    public static func decodeHeader(content: UnsafeRawBufferPointer) throws(EventDecodingError) -> (topic: Topic, keys: EventKeys) {
        let header = try ContentHeader(content: content)
        func text(_ range: Range<Int>) throws(EventDecodingError) -> String? {
            guard !range.isEmpty else { return nil }
            guard let value = String(validating: content[range], as: UTF8.self) else { throw .invalidUTF8 }
            return value
        }
        guard let topic = try text(header.topic).flatMap(Topic.init(rawValue:)) else { throw .unknownTopic }
        let keys = EventKeys(stream: try text(header.keys.0), session: try text(header.keys.1),
                             orchestrator: try text(header.keys.2), sender: try text(header.keys.3))
        return (topic, keys)
    }

    static func appendString(_ text: String, to out: inout [UInt8]) {
        appendInteger(UInt32(text.utf8.count), to: &out)
        // One bulk copy from the string's contiguous UTF-8 (native strings always have it).
        if text.utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil {
            out.append(contentsOf: text.utf8)
        }
    }

    static func appendInteger<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }
}

/// A keccak256 sponge that has absorbed an event's content; `finish` adds sequence and previous hash.
public struct HashPrefix: Sendable {
    fileprivate var hasher: Keccak256

    public func finish(sequence: UInt64, previous: Hash32) -> Hash32 {
        var copy = hasher
        let tail = (sequence.bigEndian, previous.w0.bigEndian, previous.w1.bigEndian, previous.w2.bigEndian,
                    previous.w3.bigEndian)
        withUnsafeBytes(of: tail) { copy.update($0) }
        return copy.finalize()
    }
}

/// Why stored content bytes could not be read back as an event.
public enum EventDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case badMagic, truncated, trailingBytes, unknownTopic, invalidUTF8
    case badPayload(String)

    public var description: String {
        switch self {
        case .badMagic: "event content does not start with SFE1"
        case .truncated: "event content is truncated"
        case .trailingBytes: "event content has bytes after the payload"
        case .unknownTopic: "event content names an unknown topic"
        case .invalidUTF8: "event content has a string that is not UTF-8"
        case .badPayload(let reason): "event payload is not valid JSON: \(reason)"
        }
    }
}

/// Reads the length-prefixed fields of event content.
struct ByteReader {
    private let buffer: UnsafeRawBufferPointer
    private var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var isAtEnd: Bool { offset == buffer.count }

    /// The positions of the next `count` bytes (nothing copied).
    mutating func range(_ count: Int) throws(EventDecodingError) -> Range<Int> {
        guard count >= 0, buffer.count - offset >= count else { throw .truncated }
        defer { offset += count }
        return offset..<offset + count
    }

    mutating func bytes(_ count: Int) throws(EventDecodingError) -> [UInt8] { Array(buffer[try range(count)]) }

    mutating func u32() throws(EventDecodingError) -> UInt32 {
        var value: UInt32 = 0
        for byte in buffer[try range(4)] { value = value << 8 | UInt32(byte) }
        return value
    }

    mutating func u64() throws(EventDecodingError) -> UInt64 {
        var value: UInt64 = 0
        for byte in buffer[try range(8)] { value = value << 8 | UInt64(byte) }
        return value
    }

    /// The positions of a length-prefixed field's bytes.
    mutating func field() throws(EventDecodingError) -> Range<Int> { try range(Int(try u32())) }

    mutating func string() throws(EventDecodingError) -> String {
        let raw = buffer[try field()]
        guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    mutating func optionalString() throws(EventDecodingError) -> String? {
        let text = try string()
        return text.isEmpty ? nil : text
    }
}
