import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A task executor on one dedicated thread: a simulated run is CPU-bound from its first step to its last, so it runs
/// here (`withTaskExecutorPreference`) instead of holding one of the cooperative pool's few threads for minutes, and its
/// jobs run one at a time, in the order they were enqueued.
final class SimulationThread: TaskExecutor, Sendable {
    private let jobs = Mutex<(queue: [UnownedJob], stopped: Bool)>(([], false))
    private let ready = DispatchSemaphore(value: 0)

    /// `background`: the thread runs at a lower scheduling priority (nice 10), so a sweep inside the test suite leaves
    /// the machine's cores to the suites with deadlines beside it.
    init(name: String, background: Bool = false) {
        let thread = Thread { [self] in
            #if canImport(Glibc)
            // On Linux the nice value is per thread, and 0 names the calling one.
            if background { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10) }
            #endif
            loop()
        }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.queue.append(job) }
        ready.signal()
    }

    /// Lets the thread end once its queue is empty.
    func stop() {
        jobs.withLock { $0.stopped = true }
        ready.signal()
    }

    private func loop() {
        while true {
            ready.wait()
            let next: UnownedJob? = jobs.withLock { jobs in jobs.queue.isEmpty ? nil : jobs.queue.removeFirst() }
            if let next {
                next.runSynchronously(on: asUnownedTaskExecutor())
            } else if jobs.withLock({ $0.stopped }) {
                return
            }
        }
    }
}
