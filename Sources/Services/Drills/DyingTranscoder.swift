public import Orchestrator
import Synchronization

/// A labelled fault drill: a transcoder that dies — from its `atTask`-th task on, each task fails as a crashed
/// process's would (`.disconnected`, after a quarter of the segment's duration); earlier tasks go to `base`.
public final class DyingTranscoder: TranscoderWorker, Sendable {
    public let base: any TranscoderWorker
    public let atTask: Int
    private let started = Atomic<Int>(0)

    public init(wrapping base: any TranscoderWorker, atTask: Int) {
        self.base = base
        self.atTask = atTask
    }

    public var id: String { base.id }
    public var capacity: Int { base.capacity }
    public var kind: String { base.kind }

    public func transcode(_ task: TranscodeTask) async throws(TranscoderFailure) -> [TranscodedRendition] {
        guard started.add(1, ordering: .relaxed).newValue >= atTask else { return try await base.transcode(task) }
        try? await Task.sleep(for: .milliseconds(Int(task.durationMs) / 4))
        throw .disconnected
    }
}
