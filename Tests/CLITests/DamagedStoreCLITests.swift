import Foundation
import LMDB
import Testing
import TestSupport

/// Issue 17, the damaged log: every audit command refuses a damaged store by name and never dies
/// of a signal; a damaged index fails `verify` and `--repair` rebuilds it.
@Suite("streamflow replay on a damaged store")
struct DamagedStoreCLITests {
    /// The audit commands run against a store: verify, export, rebuild, project, show.
    static let commands: [[String]] = [
        ["replay", "verify"], ["replay", "export"], ["replay", "rebuild"], ["replay", "project"],
        ["replay", "show", "--stream", "stream-beta"],
    ]

    /// A node directory holding the imported reference log.
    static func importedNode(_ directory: URL) throws -> String {
        let data = directory.appendingPathComponent("node").path
        let imported = try StreamflowExecutable.run(["replay", "import", "--data", data, ReplayCLITests.reference])
        #expect(imported.status == 0, "\(imported.stderr)")
        return data
    }

    @Test("a data.mdb truncated to half or to 8 KiB: every command exits 1 naming the file, none crashes",
          arguments: ["half", "8KiB"])
    func truncated(size: String) throws {
        let directory = try ReplayCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try Self.importedNode(directory)
        let file = data + "/log/data.mdb"
        let bytes = try FileDamage.size(file)
        try FileDamage.truncate(file, to: size == "half" ? bytes / 2 : 8_192)
        for command in Self.commands {
            let outcome = try StreamflowExecutable.run(command + ["--data", data])
            #expect(outcome.exitedNormally, "\(command) died of a signal")
            #expect(outcome.status == 1, "\(command): \(outcome.status) \(outcome.stderr)")
            #expect(outcome.stderr.contains(file) && outcome.stderr.contains("truncated"), "\(command): \(outcome.stderr)")
        }
    }

    @Test("one damaged node-size field (an event's value made 2 GiB long): every command refuses it naming the file and the key, none crashes")
    func damagedNodeSize() throws {
        let directory = try ReplayCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try Self.importedNode(directory)
        let file = data + "/log/data.mdb"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        // A leaf node of the events database: size lo u16, size hi u16, flags u16, key size u16 = 8, key = u64 BE 5.
        let pattern: [UInt8] = [8, 0, 0, 0, 0, 0, 0, 0, 0, 5]
        let found = try #require((0..<(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) })
        bytes[found - 4] = 0xFF  // the high half of the data size
        bytes[found - 3] = 0x7F
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        for command in Self.commands {
            let outcome = try StreamflowExecutable.run(command + ["--data", data])
            #expect(outcome.exitedNormally, "\(command) died of a signal")
            // A typed refusal naming the file and the entry's key (sequence 5), not the fault guard's exit 3.
            let named = outcome.status == 1 && outcome.stderr.contains(file) && outcome.stderr.contains("reaches past the end")
                && outcome.stderr.contains("key 0x0000000000000005")
            // `project` reads only the events after its stored checkpoint (the head, since import): nothing to fault on.
            let untouched = command == ["replay", "project"] && outcome.status == 0
            #expect(named || untouched, "\(command): \(outcome.status) \(outcome.stderr)")
            print("node-size damage, \(command.joined(separator: " ")): exit \(outcome.status) \(outcome.stderr.prefix(160))")
        }
    }

    @Test("48 seeded byte flips in the log or its index: each is named, clean, or the damaged-store exit; never a signal")
    func randomFlips() throws {
        let directory = try ReplayCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pristine = try Self.importedNode(directory)
        var random = XorShift(seed: 17)
        var tally: [String: Int] = [:]
        for flip in 0..<48 {
            let data = directory.appendingPathComponent("flip-\(flip)").path
            try FileManager.default.copyItem(atPath: pristine, toPath: data)
            let file = data + (flip % 3 == 2 ? "/log/index/data.mdb" : "/log/data.mdb")
            let bytes = try FileDamage.size(file)
            let offset = Int(random.next() % UInt64(bytes))
            let handle = try #require(FileHandle(forUpdatingAtPath: file))
            try handle.seek(toOffset: UInt64(offset))
            let old = try #require(try handle.read(upToCount: 1)).first ?? 0
            try handle.seek(toOffset: UInt64(offset))
            handle.write(Data([old ^ UInt8(1 << (random.next() % 8))]))
            try handle.close()
            for command in [["replay", "verify"], ["replay", "export"]] {
                let outcome = try StreamflowExecutable.run(command + ["--data", data])
                #expect(outcome.exitedNormally, "flip \(flip) at \(file)+\(offset): \(command) died of a signal")
                let named = outcome.stderr.contains("sequence") || outcome.stderr.contains(data) || outcome.stderr.contains("index")
                switch outcome.status {
                case 0: tally["clean", default: 0] += 1
                case 1:
                    #expect(named, "flip \(flip) at \(file)+\(offset): \(command) failed without naming where: \(outcome.stderr)")
                    tally[outcome.stderr.contains("sequence") ? "named sequence" : "named store", default: 0] += 1
                case 3:
                    #expect(outcome.stderr.contains("is damaged") && outcome.stderr.contains(data), "\(outcome.stderr)")
                    tally["damaged-store exit", default: 0] += 1
                default:
                    Issue.record("flip \(flip) at \(file)+\(offset): \(command) exited \(outcome.status): \(outcome.stderr)")
                }
            }
            try? FileManager.default.removeItem(atPath: data)
        }
        print("byte flips (verify and export, 48 flips): \(tally.sorted { $0.key < $1.key })")
        #expect(tally.values.reduce(0, +) == 96)
    }

    @Test("a damaged index fails verify by name, export --key and show refuse, and verify --repair rebuilds it")
    func damagedIndex() throws {
        let directory = try ReplayCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try Self.importedNode(directory)
        do {
            let index = try LMDBEnvironment(path: data + "/log/index")
            let keys = try index.database("keys", flags: [.dupSort, .dupFixed])
            try index.write { _ = try $0.delete([0] + Array("stream-beta".utf8), in: keys) }
        }
        let verified = try StreamflowExecutable.run(["replay", "verify", "--data", data])
        #expect(verified.status == 1 && verified.stderr.contains("index keys") && verified.stderr.contains("stream=stream-beta"),
                "\(verified.stderr)")
        let shown = try StreamflowExecutable.run(["replay", "show", "--data", data, "--stream", "stream-beta"])
        #expect(shown.status == 1 && shown.stderr.contains("index is damaged"), "\(shown.stderr)")
        let exported = try StreamflowExecutable.run(["replay", "export", "--data", data, "--key", "stream=stream-beta"])
        #expect(exported.status == 1 && exported.stderr.contains("verify --repair"), "\(exported.stderr)")
        let repaired = try StreamflowExecutable.run(["replay", "verify", "--repair", "--data", data])
        #expect(repaired.status == 0 && repaired.stdout.contains("repaired the indexes"), "\(repaired.stderr)")
        let again = try StreamflowExecutable.run(["replay", "export", "--data", data, "--key", "stream=stream-beta"])
        let all = try StreamflowExecutable.run(["replay", "export", "--data", data])
        #expect(again.status == 0)
        #expect(again.stdout.split(separator: "\n").count
            == all.stdout.split(separator: "\n").filter { $0.contains("\"stream\":\"stream-beta\"") }.count)
    }
}

/// A small seeded generator (xorshift64*), so a failing flip can be replayed.
struct XorShift {
    private var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
