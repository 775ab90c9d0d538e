#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex and condition variable that own the state they guard: the state is reachable only inside
/// `withLock`, which may first wait (on the condition) until the state is ready. The one primitive for threads
/// that sleep until told (the log's writer, indexer and sync threads); tasks use `Mutex` or actors instead.
public final class Monitor<State>: @unchecked Sendable {
    // @unchecked: owner of a C mutex and condition; `state` is only touched with `mutex` held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var state: State

    public init(_ initial: sending State) {
        state = initial
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` on the state with the lock held.
    public func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Waits (blocking this thread) until `ready` holds, then runs `body` with the lock still held.
    public func withLock<R>(waitingUntil ready: (State) -> Bool, _ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(state) { pthread_cond_wait(condition, mutex) }
        return try body(&state)
    }

    /// As `withLock(waitingUntil:_:)`, but waits at most `nanoseconds`; `body` runs either way (check the state).
    public func withLock<R>(waitingUntil ready: (State) -> Bool, atMostNanoseconds nanoseconds: Int64,
                            _ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if !ready(state) {
            var deadline = timespec()
            #if canImport(Glibc)
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            #else
            clock_gettime(CLOCK_REALTIME, &deadline)
            #endif
            let total = Int64(deadline.tv_nsec) + nanoseconds
            deadline.tv_sec += Int(total / 1_000_000_000)
            deadline.tv_nsec = Int(total % 1_000_000_000)
            while !ready(state) {
                if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
            }
        }
        return try body(&state)
    }

    /// Wakes one thread waiting in `withLock(waitingUntil:)`.
    public func signal() { pthread_cond_signal(condition) }

    /// Wakes every thread waiting in `withLock(waitingUntil:)`.
    public func broadcast() { pthread_cond_broadcast(condition) }
}
