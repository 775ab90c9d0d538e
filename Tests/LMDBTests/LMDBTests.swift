import Foundation
import LMDB
import Testing

@Suite("LMDB wrapper")
struct LMDBTests {
    final class Directory {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sf-lmdb-\(UUID().uuidString)").path
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    static func key(_ n: UInt64) -> [UInt8] { withUnsafeBytes(of: n.bigEndian) { Array($0) } }

    @Test("put, get, delete, noOverwrite, and reopening sees committed data")
    func basics() throws {
        let directory = Directory()
        do {
            let environment = try LMDBEnvironment(path: directory.path)
            let db = try environment.database("main")
            try environment.write { transaction in
                let first = try transaction.put([1, 2, 3], forKey: Array("a".utf8), in: db)
                let overwrite = try transaction.put([9], forKey: Array("a".utf8), in: db, flags: .noOverwrite)
                try transaction.put([4], forKey: Array("b".utf8), in: db)
                let deleted = try transaction.delete(Array("b".utf8), in: db)
                let deletedMissing = try transaction.delete(Array("zzz".utf8), in: db)
                #expect(first && !overwrite && deleted && !deletedMissing)
            }
            let (a, b) = try environment.read { transaction in
                (try transaction.get(Array("a".utf8), in: db), try transaction.get(Array("b".utf8), in: db))
            }
            #expect(a == [1, 2, 3] && b == nil)
        }
        let reopened = try LMDBEnvironment(path: directory.path)
        let db = try reopened.database("main")
        #expect(try reopened.read { try $0.get(Array("a".utf8), in: db) } == [1, 2, 3])
    }

    @Test("an out-of-order append is a typed error and the transaction writes nothing")
    func appendOrder() throws {
        let directory = Directory()
        let environment = try LMDBEnvironment(path: directory.path)
        let db = try environment.database("log")
        try environment.write { transaction in
            for n in 1...10 as ClosedRange<UInt64> { try transaction.put([0], forKey: Self.key(n), in: db, flags: .append) }
        }
        #expect(throws: LMDBError.self) {
            try environment.write { transaction in
                try transaction.put([1], forKey: Self.key(11), in: db, flags: .append)
                try transaction.put([1], forKey: Self.key(5), in: db, flags: .append)
            }
        }
        #expect(try environment.read { try $0.count(in: db) } == 10)
    }

    @Test("a body that throws aborts: nothing is written")
    func abort() throws {
        struct Stop: Error {}
        let directory = Directory()
        let environment = try LMDBEnvironment(path: directory.path)
        let db = try environment.database("main")
        #expect(throws: Stop.self) {
            try environment.write { transaction in
                try transaction.put([1], forKey: [1], in: db)
                throw Stop()
            }
        }
        #expect(try environment.read { try $0.get([1], in: db) } == nil)
    }

    @Test("dup-sorted values append and iterate in order; cursors go forward, backward and from a key")
    func cursors() throws {
        let directory = Directory()
        let environment = try LMDBEnvironment(path: directory.path)
        let dups = try environment.database("dups", flags: [.dupSort, .dupFixed])
        let main = try environment.database("main")
        try environment.write { transaction in
            for n in 1...20 as ClosedRange<UInt64> {
                try transaction.put(Self.key(n), forKey: n % 2 == 0 ? [0x65] : [0x6F], in: dups, flags: .appendDup)
                try transaction.put([UInt8(n)], forKey: Self.key(n), in: main, flags: .append)
            }
        }
        try environment.read { transaction in
            var evens: [UInt64] = []
            try transaction.forEachDuplicate(ofKey: [0x65], in: dups, from: Self.key(10)) { value in
                evens.append(UInt64(bigEndian: value.loadUnaligned(as: UInt64.self)))
                return true
            }
            #expect(evens == [10, 12, 14, 16, 18, 20])
            var forward: [UInt8] = []
            try transaction.forEach(in: main, from: Self.key(15)) { _, value in forward.append(value[0]); return true }
            #expect(forward == [15, 16, 17, 18, 19, 20])
            var backward: [UInt8] = []
            try transaction.forEach(in: main, from: Self.key(3), reverse: true) { _, value in backward.append(value[0]); return true }
            #expect(backward == [3, 2, 1])
            let last = try transaction.last(in: main)
            let count = try transaction.count(in: dups)
            #expect(last?.value == [20])
            #expect(count == 20)
        }
    }

    @Test("a 256 KiB map grows to hold 20 MiB while reader threads keep reading")
    func growthUnderReaders() throws {
        let directory = Directory()
        var options = LMDBEnvironment.Options()
        options.mapSize = 256 << 10
        options.durability = .noSync
        let environment = try LMDBEnvironment(path: directory.path, options: options)
        let db = try environment.database("main")
        let initial = environment.mapSize
        let stop = Atomic(false)
        let readers = (0..<3).map { _ in
            Thread {
                while !stop.value {
                    _ = try? environment.read { transaction in
                        try transaction.forEach(in: db) { key, value in
                            precondition(value.count == 1_000 && value[0] == key[7], "a reader saw torn data")
                            return true
                        }
                    }
                }
            }
        }
        readers.forEach { $0.start() }
        let value = [UInt8](repeating: 0, count: 1_000)
        for chunk in 0..<20 as Range<UInt64> {
            try environment.write { transaction in
                for n in chunk * 1_000..<(chunk + 1) * 1_000 {
                    var filled = value
                    filled[0] = UInt8(truncatingIfNeeded: n)
                    try transaction.put(filled, forKey: Self.key(n), in: db, flags: .append)
                }
            }
        }
        stop.value = true
        #expect(environment.mapSize > initial)
        #expect(try environment.read { try $0.count(in: db) } == 20_000)
    }

    @Test("read-only environments refuse writes; a file where a directory belongs is a typed error")
    func refusals() throws {
        let directory = Directory()
        do {
            let environment = try LMDBEnvironment(path: directory.path)
            _ = try environment.database("main")
        }
        var options = LMDBEnvironment.Options()
        options.readOnly = true
        let readOnly = try LMDBEnvironment(path: directory.path, options: options)
        let db = try readOnly.database("main")
        #expect(throws: LMDBError.self) { try readOnly.write { try $0.put([1], forKey: [1], in: db) } }
        let file = directory.path + "/data.mdb"
        #expect(throws: LMDBError.self) { try LMDBEnvironment(path: file) }
        #expect(throws: LMDBError.self) { try readOnly.database("does-not-exist") }
    }
}

/// A flag shared with reader threads (test helper).
final class Atomic: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Bool
    init(_ value: Bool) { stored = value }
    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
