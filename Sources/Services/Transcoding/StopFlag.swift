import Synchronization

/// A one-way signal from whoever waits for a transcode to the thread running it: raised when the segment is
/// given up (a timeout, a cancelled task), read between packets.
public final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    public init() {}

    /// Asks the transcode to stop at its next packet.
    public func raise() { raised.store(true, ordering: .relaxed) }

    public var isRaised: Bool { raised.load(ordering: .relaxed) }
}
