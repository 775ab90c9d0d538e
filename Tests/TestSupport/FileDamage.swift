public import Foundation

/// Damaging a store's files the way a full disk, a bad copy or a bad sector would (test plumbing).
public enum FileDamage {
    /// Cuts the file at `path` to `bytes`.
    public static func truncate(_ path: String, to bytes: Int) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
        try handle.truncate(atOffset: UInt64(bytes))
        try handle.close()
    }

    /// The size of the file at `path` in bytes.
    public static func size(_ path: String) throws -> Int {
        guard let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int else {
            throw CocoaError(.fileReadUnknown)
        }
        return size
    }
}
