import Audit
import EventLog
import EventModel
import Foundation
import LMDB
import JSONCore
import Scenarios

/// A temporary directory removed when the test ends.
final class TemporaryDirectory {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("sf-log-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func sub(_ name: String) -> String { path + "/" + name }
}

/// A valid segment.ingested event.
func ingested(_ id: String, stream: String = "s1", seq: Int64 = 0, bytes: Int64 = 1000) -> EventEnvelope {
    EventEnvelope(
        id: id, type: "segment.ingested", version: 1, topic: .segments, keys: EventKeys(stream: stream),
        timestamp: 1_700_000_000_000 + seq,
        payload: ["seq": .integer(seq), "durationMs": 2000, "bytes": .integer(bytes),
                  "dataHash": "0x1111111111111111111111111111111111111111111111111111111111111111"])
}

/// Opens a log with a small map (so growth is exercised) and fsync off (tests are not about the disk).
func openLog(_ directory: String, mapSize: Int = 1 << 20) throws -> EventLog {
    var options = EventLog.Options(durability: .noSync)
    options.initialMapSize = mapSize
    return try EventLog(directory: directory, options: options)
}

/// The reference scenario's events appended to a fresh log.
func scenarioLog(_ directory: String) async throws -> EventLog {
    let log = try openLog(directory)
    _ = try await log.append(ReferenceScenario.events())
    return log
}

/// The whole log as its JSON Lines export.
func exportBytes(_ log: EventLog) throws -> [UInt8] {
    var bytes: [UInt8] = []
    try LogExporter.export(log) { bytes += $0 }
    return bytes
}
