import Audit
import EventLog
import EventModel
import Foundation
import JSONCore
import LMDB
import Synchronization

/// `streamflow bench log`: 200-byte events through the real log (validation-free producer path:
/// encoding and hashing included), against LMDB's raw put loop in the same run.
public enum LogBenchmark {
    /// Events per commit in the last concurrent-writers run (how well group commit grouped).
    nonisolated(unsafe) static var eventsPerGroupCommit = 0.0

    /// One figure with its goal.
    public struct Figure: Sendable, Codable {
        public let name: String
        public let eventsPerSecond: Double
        public let goal: Double?
        public var met: Bool? { goal.map { eventsPerSecond >= $0 } }
    }

    public struct Report: Sendable, Codable {
        public let figures: [Figure]
        public let rawBatchedPerSecond: Double
        public let rawDurableCommitsPerSecond: Double
        /// Log batched (no fsync) ÷ raw LMDB batched.
        public let batchedRatioToRaw: Double
        public let payloadBytes: Int
        /// Average events per commit with 64 concurrent durable writers.
        public let eventsPerGroupCommit: Double
    }

    /// The parts `run` can be limited to (scan, verify and validation read the batched run's log).
    public enum Part: String, CaseIterable, Sendable {
        case batched, durable, writer, prepare, group
    }

    public static func run(scale: Double = 1, directory: String, only: Set<Part> = Set(Part.allCases)) throws -> Report {
        let n = { (base: Int) in max(1_000, Int(Double(base) * scale)) }
        try? FileManager.default.removeItem(atPath: directory)
        let raw = RawLMDBAnchor.putLoop(directory: directory + "/raw", count: n(1_000_000), perTransaction: 1_000, durable: false)
        let rawDurable = RawLMDBAnchor.putLoop(directory: directory + "/raw-durable", count: n(2_000) / 1, perTransaction: 1,
                                               durable: true)
        var figures: [Figure] = []
        var batched = 0.0
        if only.contains(.batched) {
            batched = try batchedAppend(directory: directory + "/batched", count: n(1_000_000), durability: .noSync)
            figures.append(Figure(name: "append batched 1,000/txn, no fsync", eventsPerSecond: batched, goal: 1_000_000))
        }
        if only.contains(.durable) {
            let durable = try batchedAppend(directory: directory + "/durable", count: n(500_000), durability: .fsync)
            figures.append(Figure(name: "append batched 1,000/txn, fsync per commit", eventsPerSecond: durable, goal: 500_000))
        }
        if only.contains(.writer) {
            let writer = try writerOnly(directory: directory + "/writer", count: n(500_000))
            figures.append(Figure(name: "writer only (pre-prepared, 1,000/txn, no fsync)", eventsPerSecond: writer, goal: nil))
        }
        if only.contains(.prepare) {
            let prepare = try prepareOnly(count: n(200_000))
            figures.append(Figure(name: "prepare only (canonical encode + keccak prefix, 1,000 at a time), one core", eventsPerSecond: prepare, goal: nil))
        }
        if only.contains(.group) {
            let concurrent = try concurrentWriters(directory: directory + "/group", writers: 64, perWriter: n(1_000))
            figures.append(Figure(name: "64 concurrent single-event writers, durable (group commit)",
                                  eventsPerSecond: concurrent, goal: 100_000))
        }
        if only.contains(.batched) { figures += try readFigures(logDirectory: directory + "/batched") }
        try? FileManager.default.removeItem(atPath: directory)
        return Report(figures: figures, rawBatchedPerSecond: raw, rawDurableCommitsPerSecond: rawDurable,
                      batchedRatioToRaw: batched / raw, payloadBytes: BenchEvents.payloadBytes,
                      eventsPerGroupCommit: eventsPerGroupCommit)
    }

    /// Scan, verify and schema validation over the log the batched run wrote.
    static func readFigures(logDirectory: String) throws -> [Figure] {
        let log = try EventLog(directory: logDirectory, options: .init(durability: .noSync))
        defer { log.close() }
        let clock = ContinuousClock()
        var scanned = 0
        let scanTime = clock.measure {
            try? log.scan { _ in
                scanned += 1
                return true
            }
        }
        var verified: UInt64 = 0
        let verifyTime = try clock.measure {
            verified = try LogVerifier.verify(log, checkSchemas: false, checkSignatures: false, checkIndexes: false).events
        }
        let sample = try Array(log.batch(after: 0, limit: 20_000).map { try $0.record() })
        let validateTime = clock.measure {
            for record in sample { _ = try? PreparedEvent(record.envelope) }
        }
        return [
            Figure(name: "scan", eventsPerSecond: Double(scanned) / seconds(scanTime), goal: 2_000_000),
            Figure(name: "verify hash chain", eventsPerSecond: Double(verified) / seconds(verifyTime), goal: nil),
            Figure(name: "schema-validate + encode (per event, producer side)",
                   eventsPerSecond: Double(sample.count) / seconds(validateTime), goal: nil),
        ]
    }

    /// A producer thread prepares (encodes and hashes) batches of 1,000 while the writer commits
    /// the previous ones (at most 4 in flight): the pipeline the node uses. The envelopes are built
    /// before the clock starts.
    static func batchedAppend(directory: String, count: Int, durability: LMDBEnvironment.Durability) throws -> Double {
        let envelopes = BenchEvents.events(from: 0, count: count)
        let log = try EventLog(directory: directory, options: benchOptions(durability))
        defer { log.close() }
        let window = DispatchSemaphore(value: 4)
        let done = DispatchGroup()
        let failures = FailureBox()
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            var produced = 0
            while produced < count {
                let size = min(1_000, count - produced)
                let batch = try PreparedEvent.prepare(envelopes[produced..<produced + size], validate: false)
                produced += size
                window.wait()
                done.enter()
                log.append(batch) { result in
                    if case .failure(let error) = result { failures.record(error) }
                    window.signal()
                    done.leave()
                }
            }
            done.wait()
        }
        if let error = failures.first { throw error }
        return Double(count) / seconds(elapsed)
    }

    /// A map large enough that the run measures appends, not map growth (growth is tested, not benchmarked).
    static func benchOptions(_ durability: LMDBEnvironment.Durability) -> EventLog.Options {
        var options = EventLog.Options(durability: durability)
        options.initialMapSize = 2 << 30
        return options
    }

    /// The writer's share alone: events prepared before the clock starts, appended 1,000 per commit.
    static func writerOnly(directory: String, count: Int) throws -> Double {
        let prepared = try PreparedEvent.prepare(BenchEvents.events(from: 0, count: count), validate: false)
        let log = try EventLog(directory: directory, options: benchOptions(.noSync))
        defer { log.close() }
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            var index = 0
            while index < count {
                _ = try log.appendAndWait(Array(prepared[index..<min(count, index + 1_000)]))
                index += 1_000
            }
        }
        return Double(count) / seconds(elapsed)
    }

    /// The producer's share alone: canonical encoding and the keccak prefix, per event.
    static func prepareOnly(count: Int) throws -> Double {
        let envelopes = BenchEvents.events(from: 0, count: count)
        let clock = ContinuousClock()
        var kept = 0
        let elapsed = try clock.measure {
            var start = 0
            while start < envelopes.count {
                let end = min(envelopes.count, start + 1_000)
                kept &+= try PreparedEvent.prepare(envelopes[start..<end], validate: false).count
                start = end
            }
        }
        blackHole(kept)
        return Double(count) / seconds(elapsed)
    }

    /// `writers` concurrent tasks, each appending one event at a time and awaiting its durable
    /// commit (how the node's async handlers use the log): the writer groups them into commits.
    static func concurrentWriters(directory: String, writers: Int, perWriter: Int) throws -> Double {
        let log = try EventLog(directory: directory, options: benchOptions(.fsync))
        defer { log.close() }
        let prepared = try PreparedEvent.prepare(BenchEvents.events(from: 0, count: writers * perWriter), validate: false)
        let clock = ContinuousClock()
        let done = DispatchSemaphore(value: 0)
        let failures = FailureBox()
        let start = clock.now
        Task.detached {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in 0..<perWriter {
                            do { _ = try await log.append([prepared[writer * perWriter + index]]) } catch { failures.record(error) }
                        }
                    }
                }
            }
            done.signal()
        }
        done.wait()
        let elapsed = clock.now - start
        if let error = failures.first { throw error }
        let statistics = log.commitStatistics
        eventsPerGroupCommit = Double(statistics.events) / Double(max(1, statistics.commits))
        return Double(writers * perWriter) / seconds(elapsed)
    }
}

/// Remembers the first error seen on any thread.
final class FailureBox: Sendable {
    private let error = Mutex<(any Error)?>(nil)
    func record(_ error: any Error) { self.error.withLock { if $0 == nil { $0 = error } } }
    var first: (any Error)? { error.withLock { $0 } }
}
