// ResizeLock: the process-wide reader/writer lock that lets the memory map be resized safely.
//
// LMDB may only remap (mdb_env_set_mapsize) while no transaction of this process is open, because every
// read transaction hands out pointers into the map. Every transaction begin therefore holds this lock
// shared for the life of the transaction, and a resize holds it exclusively.
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A pthread reader/writer lock, shared by transactions and exclusive for map resizes, that counts
/// per thread how many transactions the thread holds so nested transactions never re-lock.
final class ResizeLock: @unchecked Sendable {
    // Safe to share: the pthread objects live at fixed heap addresses and are only touched through
    // the thread-safe pthread calls below; the per-thread depth lives in thread-specific storage.
    private let rwlock: UnsafeMutablePointer<pthread_rwlock_t>
    private let depthKey: pthread_key_t

    init() {
        rwlock = .allocate(capacity: 1)
        rwlock.initialize(to: pthread_rwlock_t())
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        // glibc prefers readers by default, which would starve a resize under a steady stream of readers.
        // Preferring writers is safe because a thread never re-locks (nesting only bumps the depth).
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        let created = pthread_rwlock_init(rwlock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
        precondition(created == 0, "pthread_rwlock_init failed: \(created)")
        var key = pthread_key_t()
        let keyed = pthread_key_create(&key, nil)
        precondition(keyed == 0, "pthread_key_create failed: \(keyed)")
        depthKey = key
    }

    deinit {
        pthread_key_delete(depthKey)
        pthread_rwlock_destroy(rwlock)
        rwlock.deinitialize(count: 1)
        rwlock.deallocate()
    }

    /// How many transactions the calling thread currently holds under this lock.
    private var depth: Int {
        get { Int(bitPattern: pthread_getspecific(depthKey)) }
        set { pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: newValue)) }
    }

    /// True when the calling thread holds the lock (it has a transaction open).
    var isHeldByCurrentThread: Bool { depth > 0 }

    /// Runs `body` with the lock held shared; a thread that already holds it only counts the nesting.
    func withShared<R>(_ body: () throws -> R) rethrows -> R {
        let outer = depth
        if outer == 0 {
            let locked = pthread_rwlock_rdlock(rwlock)
            precondition(locked == 0, "pthread_rwlock_rdlock failed: \(locked)")
        }
        depth = outer + 1
        defer {
            depth = outer
            if outer == 0 { pthread_rwlock_unlock(rwlock) }
        }
        return try body()
    }

    /// Runs `body` with the lock held exclusively. Throws `EDEADLK` instead of deadlocking when the
    /// calling thread itself holds the lock shared (a resize requested from inside a transaction).
    func withExclusive<R>(_ body: () throws(LMDBError) -> R) throws(LMDBError) -> R {
        guard depth == 0 else {
            throw LMDBError(code: EDEADLK, operation: "resize the map while this thread has a transaction open")
        }
        let locked = pthread_rwlock_wrlock(rwlock)
        precondition(locked == 0, "pthread_rwlock_wrlock failed: \(locked)")
        defer { pthread_rwlock_unlock(rwlock) }
        return try body()
    }
}
