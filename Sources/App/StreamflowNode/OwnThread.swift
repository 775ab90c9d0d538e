import Foundation

/// Runs one blocking piece of work on a new thread and awaits its result, so the cooperative pool never blocks on it.
enum OwnThread {
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = name
            thread.start()
        }
    }
}
