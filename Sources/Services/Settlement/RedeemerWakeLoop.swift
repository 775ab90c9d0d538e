public import Logging
public import Projections
import ServiceLifecycle

/// How every redeemer waits for work: it wakes on its store's updates (new winners) and on any other
/// `sources` (blocks, gas prices, chain reads), coalescing wake-ups (one pending at most), and runs `step` each time.
/// A failed step is logged and the loop goes on; a projection host failure ends it (and the node); the host stopping
/// or a graceful shutdown ends it cleanly.
public enum RedeemerWakeLoop {
    public static func run(store: any RedemptionStore, sources: [@Sendable () -> AsyncStream<Void>], logger: Logger,
                           step: @escaping @Sendable () async throws -> Void) async throws {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in store.appliedUpdates() { wake.yield() }
                wake.finish()  // the host stopped: so does the redeemer
            }
            for source in sources {
                group.addTask { for await _ in source() { wake.yield() } }
            }
            for await _ in wakes.cancelOnGracefulShutdown() {
                do {
                    try await step()
                } catch let failure as ProjectionHostError {
                    group.cancelAll()
                    throw failure
                } catch {
                    logger.error("redemption step failed", metadata: ["error": "\(error)"])
                }
            }
            group.cancelAll()
            if let failure = store.failure { throw failure }
        }
    }
}

extension AsyncStream where Element: Sendable {
    /// The same stream with its values dropped: a wake-up source for `RedeemerWakeLoop`.
    public var wakeUps: AsyncStream<Void> {
        let upstream = self
        return AsyncStream<Void>(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let task = Task {
                for await _ in upstream { continuation.yield() }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
