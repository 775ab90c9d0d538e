import Dispatch

/// Runs the settlement side's blocking calls (the chain's LMDB reads and durable writes, log scans) on a
/// dedicated serial queue, off the cooperative pool, and awaits their result.
public enum BlockingCalls {
    private static let queue = DispatchQueue(label: "streamflow.settlement-blocking")

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
