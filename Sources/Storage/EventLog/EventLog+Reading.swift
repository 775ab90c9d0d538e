import EthCrypto
public import EventModel
import LMDB

extension EventLog {
    /// The stored event at `sequence`, or nil past the head.
    public func stored(at sequence: UInt64) throws -> StoredEvent? {
        let databases = databases
        return try environment.read { transaction in
            try transaction.withValue(LogDatabases.encodeSequence(sequence), in: databases.events) { value in
                guard let event = StoredEvent(sequence: sequence, value: value) else {
                    throw EventLogError.corrupt(sequence: sequence, reason: "stored value too short")
                }
                return event
            } ?? nil
        }
    }

    /// The record at `sequence` with its payload parsed.
    public func record(at sequence: UInt64) throws -> EventRecord? {
        try stored(at: sequence)?.record()
    }

    /// The sequence of the event with this id, if it is in the log.
    /// The newest ids are in memory, older ones in the index (looked up after, so an id the
    /// indexer takes over meanwhile is still found); a read-only log walks what its index lacks.
    public func sequence(ofID id: String) throws -> UInt64? {
        let key = Array(id.utf8)
        if let recent = recentIDs.sequence(of: IDKey(key)) { return recent }
        guard let index else { return try walkForID(key, after: 0) }
        let (found, checkpoint): (UInt64?, UInt64) = try index.environment.read { transaction in
            (try index.sequence(ofID: key, in: transaction), try index.indexedThrough(in: transaction))
        }
        if let found { return found }
        return isWritable ? nil : try walkForID(key, after: checkpoint)
    }

    /// Finds an id by reading the events after `sequence` one by one.
    private func walkForID(_ id: [UInt8], after sequence: UInt64) throws -> UInt64? {
        var found: UInt64?
        try scan(from: sequence + 1) { event in
            let matches = try event.content.withUnsafeBytes { content in
                content[try ContentHeader(content: content).id].elementsEqual(id)
            }
            if matches { found = event.sequence }
            return found == nil
        }
        return found
    }

    /// Visits stored events in order from `sequence`, optionally only one topic's or one key's;
    /// `body` returns false to stop. Reads in one consistent snapshot.
    public func scan(from sequence: UInt64 = 1, topic: Topic? = nil, key: (EventKeys.Kind, String)? = nil,
                     _ body: (StoredEvent) throws -> Bool) throws {
        let databases = databases
        try environment.read { transaction in
            let start = LogDatabases.encodeSequence(max(sequence, 1))
            if topic == nil && key == nil {
                try transaction.forEach(in: databases.events, from: start) { keyBytes, value in
                    let sequence = LogDatabases.decodeSequence(keyBytes)
                    guard let event = StoredEvent(sequence: sequence, value: value) else {
                        throw EventLogError.corrupt(sequence: sequence, reason: "stored value too short")
                    }
                    return try body(event)
                }
                return
            }
            // The index covers events up to its checkpoint; later ones are found by a filtered walk.
            var indexed: UInt64 = 0
            var keepGoing = true
            if let index {
                try index.environment.read { indexTransaction in
                    indexed = try index.indexedThrough(in: indexTransaction)
                    guard sequence <= indexed else { return }
                    let indexKey = key.map { LogDatabases.indexKey($0.0, $0.1) } ?? Array(topic!.rawValue.utf8)
                    let indexDatabase = key != nil ? index.keys : index.topics
                    try indexTransaction.forEachDuplicate(ofKey: indexKey, in: indexDatabase, from: start) { sequenceBytes in
                        let sequence = LogDatabases.decodeSequence(sequenceBytes)
                        guard sequence <= indexed else { return false }
                        let event = try transaction.withValue(sequenceBytes, in: databases.events) { value in
                            StoredEvent(sequence: sequence, value: value)
                        } ?? nil
                        guard let event else { throw EventLogError.corrupt(sequence: sequence, reason: "indexed but missing") }
                        if try !Self.matches(event, topic: topic, key: key) { return true }
                        keepGoing = try body(event)
                        return keepGoing
                    }
                }
            }
            guard keepGoing else { return }
            let tailStart = LogDatabases.encodeSequence(max(sequence, indexed + 1))
            try transaction.forEach(in: databases.events, from: tailStart) { keyBytes, value in
                let sequence = LogDatabases.decodeSequence(keyBytes)
                guard let event = StoredEvent(sequence: sequence, value: value) else {
                    throw EventLogError.corrupt(sequence: sequence, reason: "stored value too short")
                }
                if try !Self.matches(event, topic: topic, key: key) { return true }
                return try body(event)
            }
        }
    }

    /// Whether a stored event has the topic and key asked for (nil means any).
    static func matches(_ event: StoredEvent, topic: Topic?, key: (EventKeys.Kind, String)?) throws -> Bool {
        let header = try event.content.withUnsafeBytes { buffer in try CanonicalEvent.decodeHeader(content: buffer) }
        if let topic, header.topic != topic { return false }
        if let key, header.keys[key.0] != key.1 { return false }
        return true
    }

    /// Reads up to `limit` stored events after `sequence` (for tails and projection catch-up).
    public func batch(after sequence: UInt64, limit: Int) throws -> [StoredEvent] {
        var out: [StoredEvent] = []
        out.reserveCapacity(min(limit, 4096))
        try scan(from: sequence + 1) { event in
            out.append(event)
            return out.count < limit
        }
        return out
    }
}
