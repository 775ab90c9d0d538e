import Dispatch
import Foundation
import Orchestrator
import Transcoding
import Wire
import WireRPC

/// One NotifySegment's work on a remote transcoder: GET the source from the orchestrator's edge, transcode it
/// with the stream's own `StreamTranscoder` on that stream's queue (off the cooperative pool; encoders live
/// until the stream has been idle for the table's timeout), and POST the renditions (or the error) to the
/// same edge's /transcodeResults.
final class SegmentWork: Sendable {
    private let secret: String
    private let workDirectory: String
    let streams: StreamTranscoderTable

    init(secret: String, workDirectory: String, streamLimits: StreamTranscoderTable.Limits = .init()) {
        self.secret = secret
        self.workDirectory = workDirectory
        streams = StreamTranscoderTable(limits: streamLimits)
    }

    /// Handles one task; returns a one-line account of what happened.
    func handle(_ notification: Net_NotifySegment) async -> String {
        let result: Result<[RenditionMultipart.Part], SegmentWorkError>
        do {
            result = .success(try await transcode(notification))
        } catch {
            result = .failure(error as? SegmentWorkError ?? SegmentWorkError(description: "\(error)"))
        }
        let (contentType, body): (String, [UInt8])
        switch result {
        case .success(let parts): (contentType, body) = RenditionMultipart.encode(parts)
        case .failure(let failure): (contentType, body) = (RenditionMultipart.errorContentType, Array(failure.description.utf8))
        }
        let pixels = (try? result.get())?.reduce(0) { $0 + $1.pixels } ?? 0
        let edge = notification.url.components(separatedBy: "/transcoder/source/").first ?? notification.url
        do {
            let reply = try await EdgeHTTP.post(
                "\(edge)/transcodeResults",
                headers: [("Authorization", "Livepeer-Transcoder-1.0"), ("Credentials", secret), ("TaskId", "\(notification.taskID)"),
                          ("Pixels", "\(pixels)"), ("Content-Type", contentType)],
                body: body, timeout: .seconds(30))
            switch result {
            case .success(let parts): return "\(parts.count) renditions, \(pixels) pixels, posted: \(reply.status)"
            case .failure(let failure): return "failed (\(failure)), posted: \(reply.status)"
            }
        } catch {
            return "could not post the result: \(error)"
        }
    }

    private func transcode(_ notification: Net_NotifySegment) async throws -> [RenditionMultipart.Part] {
        let source = try await EdgeHTTP.get(notification.url, timeout: .seconds(30))
        guard source.status == 200 else { throw SegmentWorkError(description: "the source answered \(source.status)") }
        let data = notification.segData
        let profiles = try data.fullProfiles.map { try VideoProfile(wire: $0) }
        guard !profiles.isEmpty else { throw SegmentWorkError(description: "the task names no profiles") }
        let manifest = String(decoding: data.manifestID, as: UTF8.self).filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        let directory = "\(workDirectory)/\(manifest.isEmpty ? "stream" : manifest)"
        let lease = try streams.acquire(manifest + "|" + profiles.map(\.name).joined(separator: ","),
                                        queueLabel: "streamflow.remote.\(manifest)") { () throws(TranscodeError) in
            try StreamTranscoder(profiles: profiles)
        }
        defer { streams.releaseAndSweepWhenIdle(lease) }
        let (transcoder, queue) = (lease.transcoder, lease.queue)
        let seq = data.seq, duration = Double(data.duration) / 1_000
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { () throws -> [RenditionMultipart.Part] in
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    let path = "\(directory)/source_\(seq).ts"
                    try Data(source.body).write(to: URL(fileURLWithPath: path))
                    defer { try? FileManager.default.removeItem(atPath: path) }
                    let segment = SourceSegment(index: Int(seq), path: path, start: 0, duration: duration, videoPackets: 0)
                    let result = try transcoder.transcode(segment) { profile, index in "\(directory)/\(profile.name)_\(index).ts" }
                    return try result.renditions.map { rendition in
                        defer { try? FileManager.default.removeItem(atPath: rendition.file) }
                        return RenditionMultipart.Part(pixels: Int64(rendition.pixels),
                                                       bytes: Array(try Data(contentsOf: URL(fileURLWithPath: rendition.file))))
                    }
                })
            }
        }
    }
}

/// A task that could not be done, with the reason (posted to the orchestrator as the task's error).
struct SegmentWorkError: Error, CustomStringConvertible {
    let description: String
}
