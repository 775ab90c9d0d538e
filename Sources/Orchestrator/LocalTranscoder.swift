import Dispatch
import Foundation
public import Transcoding

/// A transcoder in the orchestrator's process: one `StreamTranscoder` per stream (its decoder and encoders
/// persist across the stream's segments, which is why the scheduler keeps streams sticky), each running on
/// its own serial dispatch queue, off the cooperative pool.
public final class LocalTranscoder: TranscoderWorker, @unchecked Sendable {
    // @unchecked: `streams` and `tasksStarted` are guarded by `lock`; each StreamTranscoder is used on its queue only.
    public let id: String
    public let capacity: Int
    public let kind = "local"
    public let options: EncoderOptions
    /// A fault this transcoder commits on purpose (drills, tests and the demo only; labelled, off by default).
    public let fault: Fault
    private let lock = NSLock()
    private var streams: [String: (transcoder: StreamTranscoder, queue: DispatchQueue)] = [:]
    private var tasksStarted = 0

    /// Faults for drills: none, or dying (every task from the n-th on fails as a crashed process would,
    /// after doing half the work).
    public enum Fault: Sendable, Equatable {
        case none
        case dieAtTask(Int)
    }

    public init(id: String, capacity: Int = 1, options: EncoderOptions = EncoderOptions(), fault: Fault = .none) {
        self.id = id
        self.capacity = max(1, capacity)
        self.options = options
        self.fault = fault
    }

    public func transcode(_ task: TranscodeTask) async throws(TranscoderFailure) -> [TranscodedRendition] {
        let (stream, number) = lock.withLock { () -> ((StreamTranscoder, DispatchQueue)?, Int) in
            tasksStarted += 1
            let key = "\(task.manifest)|\(task.profiles.map(\.name).joined(separator: ","))"
            if let existing = streams[key] { return (existing, tasksStarted) }
            guard let transcoder = try? StreamTranscoder(profiles: task.profiles, options: options) else { return (nil, tasksStarted) }
            let entry = (transcoder, DispatchQueue(label: "streamflow.\(id).\(task.manifest)"))
            streams[key] = entry
            return (entry, tasksStarted)
        }
        guard let (transcoder, queue) = stream else { throw .transcode("no profiles to transcode to") }
        if case .dieAtTask(let n) = fault, number >= n {
            try? await Task.sleep(for: .milliseconds(Int(task.durationMs) / 4))
            throw .disconnected
        }
        let result: Result<SegmentResult, TranscodeError> = await withCheckedContinuation { continuation in
            queue.async {
                let segment = SourceSegment(index: Int(task.seq), path: task.sourcePath, start: 0,
                                            duration: Double(task.durationMs) / 1_000, videoPackets: 0)
                continuation.resume(returning: Result { () throws(TranscodeError) in
                    do {
                        try FileManager.default.createDirectory(atPath: task.outputDirectory, withIntermediateDirectories: true)
                    } catch { throw .io("\(error)") }
                    return try transcoder.transcode(segment) { profile, _ in task.renditionPath(profile: profile) }
                })
            }
        }
        switch result {
        case .failure(let error): throw .transcode(error.description)
        case .success(let segment):
            return zip(task.profiles, segment.renditions).map {
                TranscodedRendition(profile: $0, file: $1.file, pixels: Int64($1.pixels))
            }
        }
    }
}
