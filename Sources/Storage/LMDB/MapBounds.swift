import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where an environment's data file is mapped in this process, so a value LMDB hands back can be
/// checked to lie inside the file before it is read: LMDB keeps no checksums, and a damaged node
/// size would otherwise send a read past the end of the file (SIGBUS) or of the map (SIGSEGV).
/// Linux only (it reads /proc/self/maps); elsewhere every value passes.
final class MapBounds: Sendable {
    let file: String
    private let state: Mutex<(regions: [Range<UInt>], fileBytes: UInt)>

    init(file: String) {
        self.file = file
        state = Mutex(([], 0))
        refresh()
    }

    /// Re-reads where the file is mapped and how long it is (after opening or resizing the map).
    func refresh() {
        let found = (Self.mappings(of: file), Self.size(of: file))
        state.withLock { $0 = found }
    }

    /// Where the file is mapped and how long it is now: a transaction takes one when it begins, so
    /// checking a value takes no lock.
    func snapshot() -> Snapshot { state.withLock { Snapshot(regions: $0.regions, fileBytes: $0.fileBytes) } }

    /// The mapping and file size a transaction checks its values against.
    struct Snapshot {
        let regions: [Range<UInt>]
        var fileBytes: UInt

        /// Whether `buffer` lies inside the data file; memory outside the map (a write transaction's
        /// own pages) passes.
        func contains(_ buffer: UnsafeRawBufferPointer) -> Bool {
            guard let base = buffer.baseAddress else { return true }
            let start = UInt(bitPattern: base)
            let (end, overflow) = start.addingReportingOverflow(UInt(buffer.count))
            guard !overflow else { return false }
            var index = 0
            while index < regions.count {
                let region = regions[index]
                if start >= region.lowerBound && start < region.upperBound {
                    return end <= min(region.upperBound, region.lowerBound &+ fileBytes)
                }
                index += 1
            }
            return true
        }
    }

    /// Whether `buffer` lies inside the data file as it is now (the file may have grown since the
    /// snapshot): the slow path, taken only when the snapshot refused it.
    func containsNow(_ buffer: UnsafeRawBufferPointer) -> Bool {
        let size = Self.size(of: file)
        return state.withLock { state in
            state.fileBytes = size
            return Snapshot(regions: state.regions, fileBytes: size).contains(buffer)
        }
    }

    private static func size(of file: String) -> UInt {
        ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.uintValue ?? 0
    }

    /// The address ranges at which this process maps `file` from offset 0 (one per open environment).
    private static func mappings(of file: String) -> [Range<UInt>] {
        #if os(Linux)
        guard let number = (try? FileManager.default.attributesOfItem(atPath: file))?[.systemFileNumber] as? NSNumber,
              let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return [] }
        let inode = String(number.uint64Value)
        return maps.split(separator: "\n").compactMap { line in
            // "start-end perms offset dev inode path"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[4] == inode, fields[2].allSatisfy({ $0 == "0" }), fields[5...].joined(separator: " ").hasSuffix("data.mdb")
            else { return nil }
            let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            return bounds.count == 2 && bounds[0] < bounds[1] ? bounds[0]..<bounds[1] : nil
        }
        #else
        return []
        #endif
    }
}
