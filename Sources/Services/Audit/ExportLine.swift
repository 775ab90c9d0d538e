import EthCrypto
import EventLog
public import EventModel
public import JSONCore

/// One event as a line of a JSON Lines export: the envelope fields, the payload, and the chain
/// link. The line itself is canonical JSON, so an export is byte-for-byte reproducible.
public enum ExportLine {
    public static func render(_ record: EventRecord) throws -> [UInt8] {
        guard case .object(var line) = EnvelopeJSON.object(record.envelope) else { return [] }
        line["seq"] = .integer(Int64(record.sequence))
        line["previousHash"] = .string(record.previousHash.hex)
        line["hash"] = .string(record.hash.hex)
        return try CanonicalJSON.encode(.object(line))
    }

    /// The chain fields an export line adds to the envelope's.
    static let chainFields: Set<String> = ["seq", "previousHash", "hash"]

    /// A parsed export line: the record it claims to be. Its hash is not yet checked.
    public static func parse(_ value: JSONValue) throws(AuditFailure) -> EventRecord {
        let envelope: EventEnvelope
        do throws(EnvelopeDecodingError) { envelope = try EnvelopeJSON.decode(value, extraFields: chainFields) } catch {
            throw AuditFailure(reason: error.description)
        }
        guard let sequence = value["seq"]?.integerValue, sequence >= 1 else {
            throw AuditFailure(reason: "seq must be a positive integer")
        }
        let previous: Hash32, hash: Hash32
        do {
            previous = try Hash32(hex: value["previousHash"]?.stringValue ?? "")
            hash = try Hash32(hex: value["hash"]?.stringValue ?? "")
        } catch { throw AuditFailure(reason: "previousHash and hash must be 32-byte 0x-hex") }
        return EventRecord(sequence: UInt64(sequence), envelope: envelope, previousHash: previous, hash: hash)
    }
}

/// Why an audit step refused its input: the reason, and where (export line or log sequence).
public struct AuditFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int?
    public var sequence: UInt64?
    public let reason: String

    public init(line: Int? = nil, sequence: UInt64? = nil, reason: String) {
        self.line = line
        self.sequence = sequence
        self.reason = reason
    }

    public var description: String {
        var place: [String] = []
        if let line { place.append("line \(line)") }
        if let sequence { place.append("sequence \(sequence)") }
        return place.isEmpty ? reason : "\(place.joined(separator: ", ")): \(reason)"
    }
}
