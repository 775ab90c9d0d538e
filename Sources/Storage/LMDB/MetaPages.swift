import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the two meta pages at the head of an LMDB data file before LMDB maps it, and refuses a
/// file that is not LMDB's or is shorter than the pages its newest meta page says are in use
/// (LMDB would map past the end of the file and fault with SIGBUS on the first read there).
enum MetaPages {
    /// One meta page: the page size it records, the last page in use, and its transaction id.
    struct Meta: Equatable {
        let pageSize: Int
        let lastPage: UInt64
        let transaction: UInt64
    }

    // Layout (liblmdb 0.9, 64-bit): a 16-byte MDB_page header, then MDB_meta: magic u32, version u32,
    // address, map size, two MDB_db of 48 bytes (the first's md_pad holds the page size), last page, txnid.
    static let magic: UInt32 = 0xBEEF_C0DE
    static let dataVersion: UInt32 = 1
    static let magicOffset = 16
    static let versionOffset = 20
    static let pageSizeOffset = 40
    static let lastPageOffset = 136
    static let transactionOffset = 144
    static let metaBytes = 152

    /// Checks the data file of the environment at `directory`; a missing or empty file is a new store.
    static func check(directory: String) throws(LMDBError) {
        let path = directory + "/data.mdb"
        guard let bytes = FileManager.default.fileSize(atPath: path), bytes > 0 else { return }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }  // unreadable: LMDB's own open names the error
        defer { close(descriptor) }
        let first = try meta(descriptor, at: 0, fileBytes: bytes, path: path)
        let pageSize = (try? first.get())?.pageSize ?? Int(getpagesize())
        let second = try meta(descriptor, at: pageSize, fileBytes: bytes, path: path)
        let newest: Meta
        switch (first, second) {
        case (.success(let a), .success(let b)): newest = a.transaction >= b.transaction ? a : b
        case (.failure(let reason), _), (_, .failure(let reason)):
            throw LMDBError(damage: .badMeta(path: path, reason: reason.text))
        }
        let (pages, overflow) = newest.lastPage.addingReportingOverflow(1)
        let (needed, tooLarge) = pages.multipliedReportingOverflow(by: UInt64(newest.pageSize))
        guard !overflow, !tooLarge, needed <= UInt64(Int.max) else {
            throw LMDBError(damage: .badMeta(path: path, reason: "its meta page names last page \(newest.lastPage), beyond any file"))
        }
        if bytes < Int(needed) {
            throw LMDBError(damage: .truncated(path: path, fileBytes: bytes, neededBytes: Int(needed)))
        }
    }

    /// Why a meta page did not read as one.
    struct Invalid: Error { let text: String }

    /// The meta page at `offset`, or why it is not one.
    private static func meta(_ descriptor: Int32, at offset: Int, fileBytes: Int,
                             path: String) throws(LMDBError) -> Result<Meta, Invalid> {
        let page = offset == 0 ? "meta page 0" : "meta page 1"
        guard fileBytes >= offset + metaBytes else {
            throw LMDBError(damage: .truncated(path: path, fileBytes: fileBytes, neededBytes: offset + metaBytes))
        }
        var buffer = [UInt8](repeating: 0, count: metaBytes)
        let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, metaBytes, off_t(offset)) }
        guard read == metaBytes else { return .failure(Invalid(text: "\(page) could not be read")) }
        return buffer.withUnsafeBytes { raw in
            func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            guard u32(magicOffset) == magic else {
                return .failure(Invalid(text: "\(page) has magic 0x\(String(u32(magicOffset), radix: 16)), not LMDB's 0xbeefc0de"))
            }
            guard u32(versionOffset) == dataVersion else {
                return .failure(Invalid(text: "\(page) has data version \(u32(versionOffset)), not \(dataVersion)"))
            }
            let pageSize = Int(u32(pageSizeOffset))
            guard pageSize >= 512, pageSize <= 65_536, pageSize & (pageSize - 1) == 0 else {
                return .failure(Invalid(text: "\(page) records page size \(pageSize)"))
            }
            return .success(Meta(pageSize: pageSize, lastPage: u64(lastPageOffset), transaction: u64(transactionOffset)))
        }
    }
}

extension FileManager {
    /// The size of the file at `path`, or nil when there is none.
    fileprivate func fileSize(atPath path: String) -> Int? {
        (try? attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
    }
}
