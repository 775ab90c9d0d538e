#if canImport(Glibc)
import Glibc
#endif

/// The last line of defence of the audit commands: LMDB keeps no checksums, so a damaged page can
/// make it read out of bounds; a SIGBUS or SIGSEGV while they read a store becomes one line on
/// stderr naming the store, and exit status 3, instead of a crash dump.
enum StoreFaultGuard {
    /// The exit status of a command stopped by a fault while reading a damaged store.
    static let exitStatus: Int32 = 3

    /// The messages the handler writes, made before it is installed; kept for the process's life.
    nonisolated(unsafe) private static var busMessage: UnsafeMutableBufferPointer<UInt8>?
    nonisolated(unsafe) private static var segvMessage: UnsafeMutableBufferPointer<UInt8>?

    /// Installs the handler for SIGBUS and SIGSEGV, naming `store`; called once, by `DataOptions.openExisting`.
    static func install(store: String) {
        busMessage = message(store: store, signal: "SIGBUS")
        segvMessage = message(store: store, signal: "SIGSEGV")
        var action = sigaction()
        // Async-signal-safe: only write(2) of a prepared buffer and _exit(2).
        action.__sigaction_handler.sa_handler = { signal in
            if let text = signal == SIGBUS ? StoreFaultGuard.busMessage : StoreFaultGuard.segvMessage {
                _ = write(2, text.baseAddress, text.count)
            }
            _exit(StoreFaultGuard.exitStatus)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGBUS, &action, nil)
        sigaction(SIGSEGV, &action, nil)
    }

    private static func message(store: String, signal: String) -> UnsafeMutableBufferPointer<UInt8> {
        let text = Array(("Error: the store \(store) is damaged: reading it faulted (\(signal)); "
            + "nothing was written; restore it from a backup or re-import an export\n").utf8)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.count)
        _ = buffer.initialize(from: text)
        return buffer
    }
}
