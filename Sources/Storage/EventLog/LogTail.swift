import Dispatch
public import EventModel

extension EventLog {
    /// A live tail: every event after `sequence`, then each new one as it is committed. Ends when
    /// the consuming task is cancelled. Reads happen on a dispatch queue, off the cooperative pool.
    public func tail(after sequence: UInt64 = 0, batchSize: Int = 512) -> LogTail {
        LogTail(log: self, after: sequence, batchSize: batchSize)
    }
}

/// The AsyncSequence of records `EventLog.tail(after:)` returns; consumer pace is the backpressure
/// (it reads the next batch only when the last one has been taken).
public struct LogTail: AsyncSequence, Sendable {
    public typealias Element = EventRecord
    let log: EventLog
    let after: UInt64
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator { Iterator(log: log, position: after, batchSize: batchSize) }

    public struct Iterator: AsyncIteratorProtocol {
        let log: EventLog
        var position: UInt64
        let batchSize: Int
        var buffered: [EventRecord] = []
        var index = 0

        public mutating func next() async throws -> EventRecord? {
            while index == buffered.count {
                if Task.isCancelled { return nil }
                let records = try await Self.read(log: log, after: position, limit: batchSize)
                if records.isEmpty {
                    await log.headWatch.wait(after: position)
                    continue
                }
                buffered = records
                index = 0
            }
            defer { index += 1 }
            position = buffered[index].sequence
            return buffered[index]
        }

        private static let queue = DispatchQueue(label: "streamflow.log-tail", attributes: .concurrent)

        private static func read(log: EventLog, after: UInt64, limit: Int) async throws -> [EventRecord] {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    continuation.resume(with: Result { try log.batch(after: after, limit: limit).map { try $0.record() } })
                }
            }
        }
    }
}
