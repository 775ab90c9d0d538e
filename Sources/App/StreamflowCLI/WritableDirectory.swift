import Foundation

/// A directory a command writes into, checked at start (created when missing, then a probe file written and
/// removed), so an unwritable `--out` is named before the first segment fails on it.
enum WritableDirectory {
    static func check(_ path: String, option: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let probe = (path as NSString).appendingPathComponent(".write-check-\(getpid())")
            try Data().write(to: URL(fileURLWithPath: probe))
            try FileManager.default.removeItem(atPath: probe)
        } catch {
            throw CLIError("\(option) \(path) is not a writable directory: \((error as NSError).localizedDescription)")
        }
    }
}
