import EventLog
import EventModel
import Foundation
import KafkaBus
import TestSupport

/// Shared pieces of the Kafka tests: a broker per test, its settings and topics, a temporary directory, and
/// reading a log back.
enum KafkaTestKit {
    static func temporary(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamflow-kafka-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A broker with every family's topic created under `prefix`.
    static func broker(prefix: String = "t.", partitions: Int = 3) async throws -> (KafkaTestBroker, KafkaSettings, BusTopics) {
        guard KafkaSettings.libraryHandlesFlexibleVersions else {
            throw MediaTools.Failure(description: "librdkafka \(KafkaSettings.libraryVersion) is loaded; the broker needs ≥ 2.1: "
                + "run the tests with `make test` (it puts .venv/kafka-lib first on LD_LIBRARY_PATH)")
        }
        let broker = try await KafkaTestBroker()
        let settings = KafkaSettings(brokers: broker.address, clientID: "test")
        let topics = BusTopics(prefix: prefix, partitions: partitions)
        try await OffPool.run { try topics.ensure(settings: settings) }
        return (broker, settings, topics)
    }

    /// A 320×180 H.264 test clip of `seconds` at `path` (MPEG-TS when the path ends in .ts).
    static func clip(_ path: String, seconds: Int) throws {
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-t", "\(seconds)", "-c:v", "libx264",
                               "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p"]
                              + (path.hasSuffix(".ts") ? ["-f", "mpegts"] : []) + [path])
    }

    /// `streamflow replay verify` on a node's data directory: true when the chain, schemas and signatures check out.
    static func verifies(_ data: String) throws -> (passed: Bool, output: String) {
        let verify = try StreamflowExecutable.run(["replay", "verify", "--data", data])
        return (verify.status == 0, verify.stdout + verify.stderr)
    }

    /// Every event in the log, in order.
    static func events(_ log: EventLog) throws -> [EventRecord] {
        var records: [EventRecord] = []
        try log.scan { stored in
            records.append(try stored.record())
            return true
        }
        return records
    }

    /// Waits until `condition` holds (true) or `seconds` pass (false).
    static func eventually(seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return try condition()
    }
}
