import Foundation
import LMDB
import Testing
import TestSupport

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

    @Test("a file truncated to half or to 8 KiB is refused, read-only or not, naming the file and the sizes",
          arguments: ["half", "8KiB"])
    func truncated(size: String) throws {
        let directory = try Self.filledStore()
        let file = directory.path + "/data.mdb"
        let original = try FileDamage.size(file)
        let bytes = size == "half" ? original / 2 : 8_192
        try FileDamage.truncate(file, to: bytes)
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

    @Test("a damaged node size (a value made 2 GiB long) is a typed error naming the file and key, not a read past the end")
    func valuePastTheEnd() throws {
        let directory = try Self.filledStore()
        let file = directory.path + "/data.mdb"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        // A leaf node: size lo u16, size hi u16, flags u16, key size u16 = 8, then the key (u64 BE 7).
        let pattern: [UInt8] = [8, 0] + LMDBTests.key(7)
        let found = try #require((0..<(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) })
        bytes[found - 4] = 0xFF
        bytes[found - 3] = 0x7F
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        var options = LMDBEnvironment.Options()
        options.readOnly = true
        let environment = try LMDBEnvironment(path: directory.path, options: options)
        let db = try environment.database("main")
        #expect(try environment.read { try $0.get(LMDBTests.key(6), in: db) }?.count == 1_024)  // its neighbour reads
        for read in ["get", "forEach"] {
            #expect {
                try environment.read { transaction in
                    if read == "get" { _ = try transaction.get(LMDBTests.key(7), in: db) } else { try transaction.forEach(in: db) { _, _ in true } }
                }
            } throws: { error in
                guard let error = error as? LMDBError, case .valueOutOfBounds(let path, let size, let key)? = error.damage else { return false }
                return path == file && size > 1 << 30 && key == "0x0000000000000007"
            }
        }
    }
}
