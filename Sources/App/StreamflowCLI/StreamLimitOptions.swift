import ArgumentParser
import Transcoding

/// `--stream-idle-timeout` and `--max-encoder-streams`: how long an idle stream keeps its encoders (or, on a
/// broadcaster, its session and live playlist) and how many streams may hold encoders on one transcoder.
struct StreamLimitOptions: ParsableArguments {
    @Option(help: "Seconds without a segment after which a stream's encoders (broadcaster: its session, playlist ended) are released.")
    var streamIdleTimeout: Double = 60
    @Option(help: "Streams holding encoders on one transcoder at most; the least recently used idle one makes room, and a new stream is refused when all are busy.")
    var maxEncoderStreams = 256

    func validate() throws {
        guard streamIdleTimeout >= 0.001, streamIdleTimeout <= 86_400 else {
            throw ValidationError("--stream-idle-timeout must be 0.001…86400 seconds")
        }
        guard maxEncoderStreams >= 1 else { throw ValidationError("--max-encoder-streams must be at least 1") }
    }

    /// The idle timeout in whole milliseconds.
    var idleTimeoutMs: UInt64 { UInt64((streamIdleTimeout * 1_000).rounded()) }

    /// The table limits for a transcoder that runs `capacity` segments at once (never fewer streams than that).
    func encoderLimits(capacity: Int) -> StreamTranscoderTable.Limits {
        .init(maxStreams: max(maxEncoderStreams, capacity), idleTimeoutMs: idleTimeoutMs)
    }
}
