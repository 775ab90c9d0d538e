import Audit
import EventLog
import EventModel
import Foundation
import LMDB
import Testing
import TestSupport

/// A child process appends batches and is killed with SIGKILL at random moments; after each kill
/// the log verifies, every acknowledged append is present, and the projections rebuild to the same bytes.
@Suite("crash safety")
struct CrashTests {
    @Test("SIGKILL at 20 random moments loses nothing acknowledged and corrupts nothing")
    func killLoop() throws {
        let directory = TemporaryDirectory()
        var generator = SystemRandomNumberGenerator()
        var totalAcknowledged = 0
        for round in 0..<20 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: StreamflowExecutable.path)
            process.arguments = ["replay", "append-loop", "--data", directory.path, "--batch", "40", "--project-every", "2"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let lines = AcknowledgementReader(output.fileHandleForReading)
            // Wait for a few acknowledgements, then kill at a random moment.
            let wanted = Int.random(in: 1...6, using: &generator)
            _ = lines.waitFor(count: wanted, timeout: 20)
            usleep(UInt32.random(in: 0...40_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the child must die by SIGKILL")
            let acknowledged = lines.finish()
            totalAcknowledged += acknowledged.count

            let log = try EventLog(directory: directory.sub("log"), options: .init(durability: .fsync))
            let report = try LogVerifier.verify(log)
            #expect(report.passed, "round \(round): \(String(describing: report.failure))")
            for (sequence, id) in acknowledged {
                #expect(try log.sequence(ofID: id) == sequence, "round \(round): acknowledged \(id) at \(sequence) is missing")
            }
            #expect(try ProjectionRebuild.run(log).allSatisfy(\.matches), "round \(round): projections differ from a rebuild")
            // The topic index (built behind the writer, checkpointed with its entries) agrees with a full walk.
            var indexed = 0, walked = 0
            try log.scan(topic: .segments) { _ in indexed += 1; return true }
            try log.scan { stored in
                if try stored.record().envelope.topic == .segments { walked += 1 }
                return true
            }
            #expect(indexed == walked, "round \(round): topic scan \(indexed) ≠ full walk \(walked)")
            log.close()
        }
        #expect(totalAcknowledged >= 20)
    }
}

/// Collects "ack SEQ ID" lines from the child as they arrive.
final class AcknowledgementReader: @unchecked Sendable {
    // @unchecked: state guarded by `condition`.
    private let condition = NSCondition()
    private var acknowledged: [(UInt64, String)] = []
    private var ended = false

    init(_ handle: FileHandle) {
        Thread {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    let parts = line.split(separator: " ")
                    if parts.count == 3, parts[0] == "ack", let sequence = UInt64(parts[1]) {
                        self.condition.withLock {
                            self.acknowledged.append((sequence, String(parts[2])))
                            self.condition.broadcast()
                        }
                    }
                }
            }
            self.condition.withLock {
                self.ended = true
                self.condition.broadcast()
            }
        }.start()
    }

    func waitFor(count: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return condition.withLock {
            while acknowledged.count < count && !ended {
                if !condition.wait(until: deadline) { return false }
            }
            return acknowledged.count >= count
        }
    }

    /// Waits for the pipe to close and returns every acknowledgement the child printed.
    func finish() -> [(UInt64, String)] {
        condition.withLock {
            while !ended { condition.wait() }
            return acknowledged
        }
    }
}

/// Another process grows the map of a log this process has open: reads adopt the new size.
@Suite("two processes")
struct TwoProcessTests {
    @Test("a map grown by another process is adopted, not an error")
    func adoptsForeignResize() throws {
        let directory = TemporaryDirectory()
        var options = EventLog.Options(durability: .noSync)
        options.initialMapSize = 256 << 10
        let log = try EventLog(directory: directory.sub("log"), options: options)
        _ = try log.appendAndWait([PreparedEvent(ingested("first"))])
        let child = try StreamflowExecutable.run([
            "replay", "append-loop", "--data", directory.path, "--batch", "500", "--batches", "8", "--initial-map-kib", "256",
        ])
        #expect(child.status == 0, "\(child.stderr)")
        var count = 0
        try log.scan { _ in count += 1; return true }
        #expect(count == 1 + 8 * 500)
        log.close()
    }
}
