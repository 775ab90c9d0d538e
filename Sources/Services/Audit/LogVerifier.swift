public import EthCrypto
public import EventLog
import EventModel
import EventSchemas

/// `streamflow replay verify`: walks the whole log and checks, per event, that its bytes decode,
/// its previous hash is the one before it, its hash recomputes, its payload fits its schema and
/// its signatures recover to the right signers; then that the stored head is the last event, and
/// that every index agrees with the events both ways (`EventLog.auditIndexes`).
public enum LogVerifier {
    /// What a verification found.
    public struct Report: Sendable, Equatable {
        public var events: UInt64 = 0
        public var signatures = 0
        public var head = LogHead.empty
        /// Valid signed checkpoints, and the highest sequence one covers (0: none; later events are unanchored).
        public var checkpoints = 0
        public var lastSigned: UInt64 = 0
        /// The first failure of the chain walk; nil when the events verified.
        public var failure: AuditFailure?
        /// The indexes compared with the events.
        public var indexes = IndexAuditReport()
        public var passed: Bool { failure == nil && indexes.passed }
    }

    /// Verifies `log`; with `trusted`, every checkpoint must be signed by that address, and one at least.
    public static func verify(_ log: EventLog, checkSchemas: Bool = true, checkSignatures: Bool = true,
                              checkIndexes: Bool = true, trusted: Address? = nil) throws -> Report {
        var report = Report()
        var trail = CheckpointTrail(trusted: trusted)
        var previous = Hash32.zero
        var expected: UInt64 = 1
        try log.scan { stored in
            if let failure = check(stored, expected: expected, previous: previous, checkSchemas: checkSchemas,
                                   checkSignatures: checkSignatures, signatures: &report.signatures, trail: &trail) {
                report.failure = failure
                return false
            }
            report.events += 1
            previous = stored.hash
            expected += 1
            return true
        }
        report.head = LogHead(sequence: expected - 1, hash: previous)
        (report.checkpoints, report.lastSigned) = (trail.count, trail.lastSigned)
        if report.failure == nil {
            do { try trail.finish() } catch { report.failure = AuditFailure(reason: error.description) }
        }
        if report.failure == nil, log.head != report.head {
            report.failure = AuditFailure(
                sequence: log.head.sequence, reason: "stored head \(log.head.sequence) does not match the last event \(expected - 1)")
        }
        if checkIndexes { report.indexes = try log.auditIndexes() }
        return report
    }

    static func check(_ stored: StoredEvent, expected: UInt64, previous: Hash32, checkSchemas: Bool,
                      checkSignatures: Bool, signatures: inout Int, trail: inout CheckpointTrail) -> AuditFailure? {
        let sequence = stored.sequence
        guard sequence == expected else {
            return AuditFailure(sequence: expected, reason: "missing; the next stored event is \(sequence)")
        }
        guard stored.previousHash == previous else {
            return AuditFailure(sequence: sequence, reason: "previousHash \(stored.previousHash) breaks the chain (expected \(previous))")
        }
        guard stored.recomputedHash == stored.hash else {
            return AuditFailure(sequence: sequence, reason: "hash \(stored.hash) does not match its content (\(stored.recomputedHash))")
        }
        let record: EventRecord
        do { record = try stored.record() } catch {
            guard case .corrupt(_, let reason) = error else { return AuditFailure(sequence: sequence, reason: error.description) }
            return AuditFailure(sequence: sequence, reason: reason)
        }
        if checkSchemas {
            do { try EventValidator.shared.validate(record.envelope) } catch {
                return AuditFailure(sequence: sequence, reason: error.description)
            }
        }
        if checkSignatures {
            do {
                signatures += try SignatureChecks.check(record.envelope)
                try DerivedFieldChecks.check(record.envelope)
            } catch {
                return AuditFailure(sequence: sequence, reason: error.reason)
            }
        }
        do { try trail.record(sequence: sequence, hash: stored.hash, envelope: record.envelope) } catch {
            return AuditFailure(sequence: sequence, reason: error.description)
        }
        return nil
    }
}
