import Audit
import EthCrypto
import EventLog
import EventModel
import JSONCore
import Synchronization

/// What a forger with the export but without the node's key can do: edit events, then recompute
/// every hash after the edit so the chain is whole again (test helper).
enum Rechain {
    /// The export's records, `edit` applied to each envelope (by 1-based line), every hash recomputed.
    static func export(_ bytes: [UInt8], edit: (Int, inout EventEnvelope) -> Void) throws -> [UInt8] {
        var previous = Hash32.zero
        var out: [UInt8] = []
        for (index, line) in bytes.split(separator: 0x0A).enumerated() {
            let record = try ExportLine.parse(try JSONParser.parse(Array(line)))
            var envelope = record.envelope
            edit(index + 1, &envelope)
            let hash = try PreparedEvent(envelope).hash(sequence: record.sequence, previous: previous)
            out += try ExportLine.render(EventRecord(sequence: record.sequence, envelope: envelope, previousHash: previous, hash: hash))
            out.append(0x0A)
            previous = hash
        }
        return out
    }

    /// The export's lines as text.
    static func lines(_ bytes: [UInt8]) -> [String] {
        bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A clock the test moves by hand.
final class ManualClock: EventClock {
    private let now: Mutex<Int64>
    init(_ start: Int64) { now = Mutex(start) }
    func nowMilliseconds() -> Int64 { now.withLock { $0 } }
    func advance(_ milliseconds: Int64) { now.withLock { $0 += milliseconds } }
}

extension JSONValue {
    /// A copy with `member` of this object set to `value`.
    func setting(_ member: String, to value: JSONValue) -> JSONValue {
        guard case .object(var object) = self else { return self }
        object[member] = value
        return .object(object)
    }
}
