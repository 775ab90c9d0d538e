import Dispatch
import Foundation
import Synchronization

/// Runs `stop` once on SIGTERM or SIGINT (for loops that end cleanly when their source is closed, such as a
/// Kafka worker leaving its group). Keep it alive as long as the loop runs.
final class SignalStop: Sendable {
    /// The signal sources, set in init and cancelled in deinit.
    private let sources: Mutex<[any DispatchSourceSignal]>

    init(_ stop: @escaping @Sendable () -> Void) {
        let once = OnceFlag()
        sources = Mutex([SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { if once.claim() { stop() } }
            source.resume()
            return source
        })
    }

    deinit { sources.withLock { for source in $0 { source.cancel() } } }
}

/// True for the first caller only.
private final class OnceFlag: Sendable {
    private let done = Atomic(false)
    func claim() -> Bool { !done.exchange(true, ordering: .acquiringAndReleasing) }
}
