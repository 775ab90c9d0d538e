import Foundation
import Testing
import TestSupport

/// `streamflow simulate market` as an operator runs it: a seed's report and logs are the same on every run, a bad option
/// is refused with its reason, and a sweep with a planted bug exits 1 naming the seed and the command that replays it.
@Suite("simulate market (CLI)")
struct SimulateMarketCLITests {
    @Test("--seed S --events FILE twice: the same report and the same logs, byte for byte")
    func seedReplaysThroughTheCLI() async throws {
        let directory = NSTemporaryDirectory() + "streamflow-simulate-cli-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await StreamflowExecutable.runOffPool(["simulate", "market", "--seed", "11", "--events", directory + "/a.txt"])
        let second = try await StreamflowExecutable.runOffPool(["simulate", "market", "--seed", "11", "--events", directory + "/b.txt"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("all invariants held"))
        #expect(first.stdout == second.stdout)
        let a = try Data(contentsOf: URL(fileURLWithPath: directory + "/a.txt"))
        let b = try Data(contentsOf: URL(fileURLWithPath: directory + "/b.txt"))
        #expect(a == b)
        #expect(String(decoding: a, as: UTF8.self).split(separator: "\n").count > 100)
    }

    @Test("bad options are refused with their reason (exit 64)")
    func refusesBadOptions() async throws {
        let plant = try await StreamflowExecutable.runOffPool(["simulate", "market", "--seed", "1", "--plant", "nonsense"])
        #expect(plant.status == 64)
        #expect(plant.stderr.contains("forget-ledger-on-restart"))
        let size = try await StreamflowExecutable.runOffPool(["simulate", "market", "--seed", "1", "--orchestrators", "0"])
        #expect(size.status == 64)
        #expect(size.stderr.contains("--orchestrators"))
    }

    @Test("a sweep with a planted bug exits 1 and prints the failing seed with its replay command")
    func plantedBugExitsOne() async throws {
        let run = try await StreamflowExecutable.runOffPool(["simulate", "market", "--seeds", "30", "--parallelism", "1",
                                                             "--plant", "forget-ledger-on-restart"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("seeds broke an invariant"))
        #expect(run.stderr.contains("replay: streamflow simulate market --seed "))
    }
}
