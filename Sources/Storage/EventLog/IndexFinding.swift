public import EventModel

/// One disagreement between an index and the events it indexes, found by `EventLog.auditIndexes`:
/// which index, which entry, and what is wrong with it.
public struct IndexFinding: Sendable, Equatable, CustomStringConvertible {
    /// The three indexes of a log (docs/EVENT-LOG.md, "Storage").
    public enum Index: String, Sendable, CaseIterable {
        case ids, topics, keys
    }

    /// What is wrong with the entry.
    public enum Problem: Sendable, Equatable {
        /// The event at `sequence` is at or below the checkpoint but not indexed under `key`.
        case missing
        /// The entry names an event that exists but does not carry `key`.
        case wrong
        /// The entry names a sequence with no stored event, or one past the index's checkpoint.
        case dangling
        /// The index's checkpoint (`sequence`) is past the log's head.
        case checkpointAhead
    }

    public let index: Index
    /// The entry's key as a person reads it: an id, a topic, or KIND=VALUE.
    public let key: String
    public let sequence: UInt64
    public let problem: Problem

    public var description: String {
        switch problem {
        case .missing: "index \(index.rawValue): event \(sequence) is not indexed under \(key)"
        case .wrong: "index \(index.rawValue): \(key) → \(sequence), but event \(sequence) does not have \(key)"
        case .dangling: "index \(index.rawValue): \(key) → \(sequence), but there is no event \(sequence) below the checkpoint"
        case .checkpointAhead: "index checkpoint \(sequence) is past the log's head"
        }
    }

    /// A printable form of an index key of `index`.
    static func printable(_ key: UnsafeRawBufferPointer, in index: Index) -> String {
        switch index {
        case .ids: return "id \"" + String(decoding: key, as: UTF8.self) + "\""
        case .topics: return "topic " + String(decoding: key, as: UTF8.self)
        case .keys:
            guard let first = key.first, Int(first) < EventKeys.Kind.allCases.count else {
                return "key bytes 0x" + key.map { String($0, radix: 16) }.joined()
            }
            return EventKeys.Kind.allCases[Int(first)].rawValue + "=" + String(decoding: key.dropFirst(), as: UTF8.self)
        }
    }
}
