/// Why a store's data file was refused before it was mapped (or while reading it): each case
/// names the file and what is wrong with it, so the operator knows which store to restore.
public enum StoreDamage: Sendable, Equatable, CustomStringConvertible {
    /// The file is shorter than the pages its meta page says are in use.
    case truncated(path: String, fileBytes: Int, neededBytes: Int)
    /// Neither meta page (or one of them) holds LMDB's magic and data version.
    case badMeta(path: String, reason: String)
    /// A stored key or value reaches past the end of the data file (a damaged node size or page);
    /// `key` is the hex of the entry's key when it could be read.
    case valueOutOfBounds(path: String, bytes: Int, key: String?)

    public var path: String {
        switch self {
        case .truncated(let path, _, _), .badMeta(let path, _), .valueOutOfBounds(let path, _, _): path
        }
    }

    public var description: String {
        switch self {
        case .truncated(let path, let fileBytes, let neededBytes):
            "the store \(path) is truncated: the file has \(fileBytes) bytes but its meta page needs \(neededBytes); "
                + "restore it from a backup or re-import an export"
        case .badMeta(let path, let reason):
            "the store \(path) is damaged: \(reason); restore it from a backup or re-import an export"
        case .valueOutOfBounds(let path, let bytes, let key):
            "the store \(path) is damaged: a stored entry of \(bytes) bytes" + (key.map { " under key \($0)" } ?? "")
                + " reaches past the end of the file; restore it from a backup or re-import an export"
        }
    }
}
