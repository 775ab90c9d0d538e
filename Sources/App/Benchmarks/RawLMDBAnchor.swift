internal import CLMDB
import Foundation

/// The anchor for `bench log`: LMDB's own put loop with no Swift wrapper, no hashing, no encoding —
/// sequential 8-byte keys, 200-byte values, MDB_APPEND. What the log is compared against.
enum RawLMDBAnchor {
    /// Records per second putting `count` records, `perTransaction` per commit; `durable` fsyncs each commit.
    static func putLoop(directory: String, count: Int, perTransaction: Int, durable: Bool) -> Double {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var environment: OpaquePointer?
        mdb_env_create(&environment)
        defer { mdb_env_close(environment) }
        mdb_env_set_mapsize(environment, 4 << 30)
        let flags = UInt32(MDB_NOTLS) | (durable ? 0 : UInt32(MDB_NOSYNC))
        guard mdb_env_open(environment, directory, flags, 0o644) == 0 else { return 0 }
        var value = [UInt8](repeating: 0x5A, count: 200)
        var dbi: MDB_dbi = 0
        let clock = ContinuousClock()
        var written = 0
        let elapsed = clock.measure {
            while written < count {
                var transaction: OpaquePointer?
                mdb_txn_begin(environment, nil, 0, &transaction)
                if dbi == 0 { mdb_dbi_open(transaction, nil, 0, &dbi) }
                for _ in 0..<min(perTransaction, count - written) {
                    written += 1
                    var keyBytes = UInt64(written).bigEndian
                    withUnsafeMutableBytes(of: &keyBytes) { key in
                        value.withUnsafeMutableBytes { data in
                            var k = MDB_val(mv_size: 8, mv_data: key.baseAddress)
                            var v = MDB_val(mv_size: 200, mv_data: data.baseAddress)
                            _ = mdb_put(transaction, dbi, &k, &v, UInt32(MDB_APPEND))
                        }
                    }
                }
                mdb_txn_commit(transaction)
            }
        }
        return Double(count) / seconds(elapsed)
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
