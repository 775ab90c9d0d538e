import Foundation
public import Broadcaster
import Transcoding

/// The streams a broadcaster node is ingesting: one `StreamBroadcaster` and `LiveOutput` per manifest,
/// created on its first segment by `makeStream`, and each stream's segments handled strictly in arrival
/// order (a second PUT waits for the first).
public actor StreamSessions {
    /// A stream being broadcast: its sender and its HLS output.
    public struct Stream: Sendable {
        public let broadcaster: StreamBroadcaster
        public let output: LiveOutput
        public init(broadcaster: StreamBroadcaster, output: LiveOutput) {
            self.broadcaster = broadcaster
            self.output = output
        }
    }

    private let makeStream: @Sendable (String) throws -> Stream
    private var streams: [String: Stream] = [:]
    private var tails: [String: Task<Void, Never>] = [:]

    public init(makeStream: @escaping @Sendable (String) throws -> Stream) { self.makeStream = makeStream }

    /// Sends one pushed segment through its stream and publishes it to the stream's HLS output.
    public func handle(manifest: String, segment: BroadcastSegment) async throws -> SegmentOutcome {
        let stream: Stream
        if let existing = streams[manifest] { stream = existing } else {
            stream = try makeStream(manifest)
            streams[manifest] = stream
        }
        let previous = tails[manifest]
        let work = Task { () -> SegmentOutcome in
            await previous?.value
            let outcome = await stream.broadcaster.send(segment)
            if outcome.deliveredBy != nil {
                try? stream.output.append(seq: segment.seq, duration: Double(segment.durationMs) / 1_000, renditions: outcome.renditions)
            }
            return outcome
        }
        tails[manifest] = Task { _ = await work.value }
        return await work.value
    }

    /// Ends every stream's playlists (ENDLIST) once their queued segments are done.
    public func finishAll() async {
        for (manifest, stream) in streams {
            await tails[manifest]?.value
            try? stream.output.finish()
        }
    }

    /// The manifests seen so far.
    public var manifests: [String] { streams.keys.sorted() }
}
