import Foundation
import LMDB
import Testing

/// A damaged data file is refused by name before LMDB maps it (issue 17: a truncated store used to
/// fault with SIGBUS on the first read past the end of the file).
@Suite("LMDB: damaged stores")
struct StoreDamageTests {
    /// A store of about 100 pages: 400 values of 1 KiB.
    static func filledStore() throws -> LMDBTests.Directory {
        let directory = LMDBTests.Directory()
        let environment = try LMDBEnvironment(path: directory.path)
        let db = try environment.database("main")
        try environment.write { transaction in
            for n in 0..<400 { try transaction.put([UInt8](repeating: UInt8(n % 251), count: 1_024), forKey: LMDBTests.key(UInt64(n)), in: db) }
        }
        return directory
    }

    static func truncate(_ path: String, to bytes: Int) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(bytes))
        try handle.close()
    }

    @Test("a file truncated to half or to 8 KiB is refused, read-only or not, naming the file and the sizes",
          arguments: ["half", "8KiB"])
    func truncated(size: String) throws {
        let directory = try Self.filledStore()
        let file = directory.path + "/data.mdb"
        let original = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        let bytes = size == "half" ? original / 2 : 8_192
        try Self.truncate(file, to: bytes)
        for readOnly in [true, false] {
            var options = LMDBEnvironment.Options()
            options.readOnly = readOnly
            do {
                _ = try LMDBEnvironment(path: directory.path, options: options)
                Issue.record("a truncated store opened (readOnly: \(readOnly))")
            } catch {
                guard case .truncated(let path, let fileBytes, let neededBytes)? = error.damage else {
                    Issue.record("expected a truncated-store error, got \(error)")
                    continue
                }
                #expect(path == file && fileBytes == bytes && neededBytes == original)
                #expect(error.description.contains(file) && error.description.contains("truncated"))
            }
        }
    }

    @Test("a data file whose meta pages are not LMDB's is refused, naming the file")
    func badMagic() throws {
        let directory = try Self.filledStore()
        let file = directory.path + "/data.mdb"
        let handle = try #require(FileHandle(forUpdatingAtPath: file))
        try handle.seek(toOffset: 16)
        handle.write(Data([0, 0, 0, 0]))
        try handle.close()
        #expect {
            _ = try LMDBEnvironment(path: directory.path)
        } throws: { error in
            guard let error = error as? LMDBError, case .badMeta(let path, let reason)? = error.damage else { return false }
            return path == file && reason.contains("magic")
        }
    }

    @Test("a healthy store, grown and reopened many times, is never taken for a damaged one")
    func healthy() throws {
        let directory = LMDBTests.Directory()
        for round in 0..<20 {
            var options = LMDBEnvironment.Options()
            options.mapSize = 256 << 10
            let environment = try LMDBEnvironment(path: directory.path, options: options)
            let db = try environment.database("main")
            try environment.write { transaction in
                for n in 0..<50 {
                    try transaction.put([UInt8](repeating: UInt8(round), count: 900 + 97 * n), forKey: LMDBTests.key(UInt64(round * 50 + n)), in: db)
                }
                for n in stride(from: 0, to: round * 50, by: 7) { try transaction.delete(LMDBTests.key(UInt64(n)), in: db) }
            }
        }
        var options = LMDBEnvironment.Options()
        options.readOnly = true
        let reopened = try LMDBEnvironment(path: directory.path, options: options)
        let db = try reopened.database("main")
        #expect(try reopened.read { try $0.count(in: db) } > 0)
    }
}
