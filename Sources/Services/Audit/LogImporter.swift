public import EthCrypto
public import EventLog
import EventModel
import EventSchemas
import Foundation
import JSONCore

/// `streamflow replay import`: rebuilds a log from an export received from an operator, checking
/// every line (syntax, schema, signatures, sequence, chain, hash) before anything is written. The
/// new log is built in a temporary directory and moved into place only when complete, so a failed
/// import leaves nothing behind.
public enum LogImporter {
    /// What an import did.
    public struct Report: Sendable, Equatable {
        public let events: Int
        public let head: LogHead
        public let signatures: Int
    }

    /// Imports JSON Lines `bytes` into `directory`, which must not hold a log yet; with `trusted`,
    /// every checkpoint must be signed by that address, and one at least.
    public static func importLines(_ bytes: [UInt8], into directory: String,
                                   options: EventLog.Options = EventLog.Options(), trusted: Address? = nil) throws -> Report {
        if FileManager.default.fileExists(atPath: directory + "/data.mdb") {
            throw AuditFailure(reason: "\(directory) already holds a log; import into an empty directory")
        }
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: directory), !contents.isEmpty {
            throw AuditFailure(reason: "\(directory) is not empty; import into an empty directory")
        }
        let (prepared, head, signatures) = try check(bytes, trusted: trusted)
        ImportStaging.removeAbandoned(besides: directory)
        let staging = ImportStaging.path(for: directory)
        try? FileManager.default.removeItem(atPath: staging)
        do {
            let log = try EventLog(directory: staging, options: options)
            var index = 0
            while index < prepared.count {
                let slice = Array(prepared[index..<min(index + 4_096, prepared.count)])
                _ = try log.appendAndWait(slice)
                index += slice.count
            }
            guard log.head == head else {
                throw AuditFailure(reason: "the rebuilt head \(log.head.hash) differs from the export's \(head.hash)")
            }
            log.close()
            try FileManager.default.createDirectory(
                atPath: (directory as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: directory) { try FileManager.default.removeItem(atPath: directory) }
            try FileManager.default.moveItem(atPath: staging, toPath: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        return Report(events: prepared.count, head: head, signatures: signatures)
    }

    /// Pass one: every line checked and encoded; nothing is written.
    static func check(_ bytes: [UInt8], trusted: Address? = nil) throws(AuditFailure) -> ([PreparedEvent], LogHead, Int) {
        var trail = CheckpointTrail(trusted: trusted)
        let lineSchema: JSONSchema
        do { lineSchema = try JSONSchema(SchemaFiles.exportLine) } catch { throw AuditFailure(reason: "\(error)") }
        var prepared: [PreparedEvent] = []
        var previous = Hash32.zero
        var signatures = 0
        var lineNumber = 0
        var lineOfID: [String: Int] = [:]
        for rawLine in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if rawLine.isEmpty || rawLine.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(rawLine) } catch {
                throw AuditFailure(line: lineNumber, reason: "not valid JSON: \(error)")
            }
            if let violation = lineSchema.validate(value).first {
                throw AuditFailure(line: lineNumber, reason: "line violates the export schema: \(violation)")
            }
            let record: EventRecord
            do { record = try ExportLine.parse(value) } catch {
                throw AuditFailure(line: lineNumber, reason: error.reason)
            }
            let expected = UInt64(prepared.count + 1)
            guard record.sequence == expected else {
                throw AuditFailure(line: lineNumber, sequence: record.sequence, reason: "expected sequence \(expected)")
            }
            guard record.previousHash == previous else {
                throw AuditFailure(line: lineNumber, sequence: record.sequence,
                                   reason: "previousHash \(record.previousHash) breaks the chain (expected \(previous))")
            }
            let event: PreparedEvent
            do { event = try PreparedEvent(record.envelope) } catch {
                throw AuditFailure(line: lineNumber, sequence: record.sequence, reason: error.description)
            }
            let hash = event.hash(sequence: record.sequence, previous: previous)
            guard hash == record.hash else {
                throw AuditFailure(line: lineNumber, sequence: record.sequence,
                                   reason: "hash \(record.hash) does not match the line's content (\(hash)): the line was altered")
            }
            do {
                signatures += try SignatureChecks.check(record.envelope)
                try DerivedFieldChecks.check(record.envelope)
            } catch {
                throw AuditFailure(line: lineNumber, sequence: record.sequence, reason: error.reason)
            }
            if let first = lineOfID.updateValue(lineNumber, forKey: record.envelope.id) {
                throw AuditFailure(line: lineNumber, sequence: record.sequence,
                                   reason: "id \"\(record.envelope.id)\" repeats the id of line \(first); ids are unique in a log")
            }
            do { try trail.record(sequence: record.sequence, hash: hash, envelope: record.envelope) } catch {
                throw AuditFailure(line: lineNumber, sequence: record.sequence, reason: error.description)
            }
            prepared.append(event)
            previous = hash
        }
        do { try trail.finish() } catch { throw AuditFailure(reason: error.description) }
        return (prepared, LogHead(sequence: UInt64(prepared.count), hash: previous), signatures)
    }
}
