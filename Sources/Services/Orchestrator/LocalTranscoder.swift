import Dispatch
import Foundation
public import Transcoding

/// A transcoder in the orchestrator's process: one `StreamTranscoder` per stream (its decoder and encoders
/// persist across the stream's segments, which is why the scheduler keeps streams sticky), each running on
/// its own serial dispatch queue, off the cooperative pool; a stream idle for the table's timeout gives its
/// encoders back.
public final class LocalTranscoder: TranscoderWorker, Sendable {
    public let id: String
    public let capacity: Int
    public let kind = "local"
    public let options: EncoderOptions
    /// The streams holding encoders here (bounded, idle ones released).
    public let streams: StreamTranscoderTable

    /// `streamLimits` defaults to 60 s idle and max(256, capacity) streams, so a stream is refused only when
    /// more streams than the capacity are mid-segment at once.
    public init(id: String, capacity: Int = 1, options: EncoderOptions = EncoderOptions(),
                streamLimits: StreamTranscoderTable.Limits? = nil,
                now: @escaping @Sendable () -> UInt64 = StreamTranscoderTable.monotonicMilliseconds) {
        self.id = id
        self.capacity = max(1, capacity)
        self.options = options
        streams = StreamTranscoderTable(limits: streamLimits ?? .init(maxStreams: max(256, capacity)), now: now)
    }

    public func transcode(_ task: TranscodeTask) async throws(TranscoderFailure) -> [TranscodedRendition] {
        let key = "\(task.manifest)|\(task.profiles.map(\.name).joined(separator: ","))"
        let lease: StreamTranscoderTable.Lease
        do {
            lease = try streams.acquire(key, queueLabel: "streamflow.\(id).\(task.manifest)") { () throws(TranscodeError) in
                try StreamTranscoder(profiles: task.profiles, options: options)
            }
        } catch { throw .transcode(error.description) }
        defer { streams.releaseAndSweepWhenIdle(lease) }
        let (transcoder, queue) = (lease.transcoder, lease.queue)
        // A cancelled task (the pool's timeout, a caller gone) stops the transcode at its next packet.
        let stop = StopFlag()
        let result: Result<SegmentResult, TranscodeError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async {
                    let segment = SourceSegment(index: Int(task.seq), path: task.sourcePath, start: 0,
                                                duration: Double(task.durationMs) / 1_000, videoPackets: 0)
                    continuation.resume(returning: Result { () throws(TranscodeError) in
                        if stop.isRaised { throw .cancelled }
                        do {
                            try FileManager.default.createDirectory(atPath: task.outputDirectory, withIntermediateDirectories: true)
                        } catch { throw .io("\(error)") }
                        return try transcoder.transcode(segment, stop: { stop.isRaised }) { profile, _ in task.renditionPath(profile: profile) }
                    })
                }
            }
        } onCancel: { stop.raise() }
        switch result {
        case .failure(let error): throw .transcode(error.description)
        case .success(let segment):
            return zip(task.profiles, segment.renditions).map {
                TranscodedRendition(profile: $0, file: $1.file, pixels: Int64($1.pixels))
            }
        }
    }
}
