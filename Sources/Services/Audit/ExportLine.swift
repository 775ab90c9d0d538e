import EthCrypto
import EventLog
public import EventModel
public import JSONCore

/// One event as a line of a JSON Lines export: the envelope fields, the payload, and the chain
/// link. The line itself is canonical JSON, so an export is byte-for-byte reproducible.
public enum ExportLine {
    public static func render(_ record: EventRecord) throws -> [UInt8] {
        let line: JSONValue = [
            "seq": .integer(Int64(record.sequence)), "id": .string(record.envelope.id),
            "type": .string(record.envelope.type), "version": .integer(Int64(record.envelope.version)),
            "topic": .string(record.envelope.topic.rawValue), "keys": record.envelope.keys.jsonObject,
            "timestamp": .integer(record.envelope.timestamp), "payload": record.envelope.payload,
            "previousHash": .string(record.previousHash.hex), "hash": .string(record.hash.hex),
        ]
        return try CanonicalJSON.encode(line)
    }

    /// A parsed export line: the record it claims to be. Its hash is not yet checked.
    public static func parse(_ value: JSONValue) throws(AuditFailure) -> EventRecord {
        func field(_ name: String) throws(AuditFailure) -> JSONValue {
            guard let field = value[name] else { throw AuditFailure(reason: "missing field \(name)") }
            return field
        }
        guard case .object = value else { throw AuditFailure(reason: "a line must be a JSON object") }
        guard let sequence = try field("seq").integerValue, sequence >= 1 else {
            throw AuditFailure(reason: "seq must be a positive integer")
        }
        guard let topicName = try field("topic").stringValue, let topic = Topic(rawValue: topicName) else {
            throw AuditFailure(reason: "unknown topic")
        }
        let keysValue = try field("keys")
        let keys: EventKeys
        do throws(EventKeysJSONError) { keys = try EventKeys(jsonObject: keysValue) } catch {
            throw AuditFailure(reason: error.description)
        }
        guard let id = try field("id").stringValue, let type = try field("type").stringValue,
              let version = try field("version").integerValue, let timestamp = try field("timestamp").integerValue
        else { throw AuditFailure(reason: "id, type, version or timestamp has the wrong type") }
        let previous: Hash32, hash: Hash32
        do {
            previous = try Hash32(hex: try field("previousHash").stringValue ?? "")
            hash = try Hash32(hex: try field("hash").stringValue ?? "")
        } catch { throw AuditFailure(reason: "previousHash and hash must be 32-byte 0x-hex") }
        let envelope = EventEnvelope(id: id, type: type, version: Int(version), topic: topic, keys: keys,
                                     timestamp: timestamp, payload: try field("payload"))
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
