// Directory: making sure an environment path is a directory (creating it and its parents if asked).
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Checks that `path` is a directory, creating it (and missing parents) when `create` is true.
/// Throws `ENOTDIR` when the path (or a parent) is not a directory, `ENOENT` when it is missing.
func prepareDirectory(_ path: String, create: Bool) throws(LMDBError) {
    let operation = "open environment directory \(path)"
    if let isDirectory = directoryStatus(path) {
        guard isDirectory else { throw LMDBError(code: ENOTDIR, operation: operation) }
        return
    }
    guard create else { throw LMDBError(code: ENOENT, operation: operation) }
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
        prefix += component
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw LMDBError(code: errno, operation: "mkdir \(prefix)")
        }
        prefix += "/"
    }
    guard directoryStatus(path) == true else { throw LMDBError(code: ENOTDIR, operation: operation) }
}

/// True for a directory, false for anything else that exists, nil when nothing is there.
private func directoryStatus(_ path: String) -> Bool? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return (info.st_mode & S_IFMT) == S_IFDIR
}
