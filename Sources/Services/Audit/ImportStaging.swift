import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where `replay import` builds a log before moving it into place (`<dir>.importing-<pid>`), and
/// the clean-up of staging directories an import killed with SIGKILL left behind.
enum ImportStaging {
    static let marker = ".importing-"

    /// This process's staging directory for `directory`.
    static func path(for directory: String) -> String { directory + marker + "\(getpid())" }

    /// Removes `<directory>.importing-<pid>` siblings whose process is gone (a live pid may be
    /// another import still running, and is left alone). Returns the paths removed.
    @discardableResult
    static func removeAbandoned(besides directory: String) -> [String] {
        let url = URL(fileURLWithPath: directory)
        let parent = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + marker
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != getpid(), !isAlive(pid) else { continue }
            let path = parent + "/" + name
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    /// Whether a process with this id exists (kill with signal 0; EPERM means it exists, as another user's).
    private static func isAlive(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}
