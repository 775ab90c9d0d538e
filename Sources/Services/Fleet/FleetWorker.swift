import Foundation
public import EventModel
import JSONCore
public import KafkaBus
import Orchestrator
public import Transcoding

/// A worker of the Kafka transcoder fleet (`streamflow transcoder --kafka`): a member of consumer group `group` on
/// the segments topic. For each `transcode.requested` it fetches the source, transcodes it, publishes a
/// `transcode.completed` (or `transcode.failed`) with the renditions, waits for the broker's acknowledgement and only
/// then commits the request's offset. A worker killed mid-segment leaves it uncommitted: the group hands its
/// partitions to another worker, which does the work again; the result's id is the request's, so the log keeps one.
public final class FleetWorker: Sendable {
    public let workerID: String
    private let consumer: KafkaConsumer
    private let publisher: EventPublisher
    private let placement: DataPlacement
    private let clock: any EventClock
    private let transcoder: LocalTranscoder
    private let workDirectory: String
    private let report: @Sendable (String) -> Void

    public init(workerID: String, settings: KafkaSettings, topics: BusTopics, group: String = "streamflow-transcoders",
                publisher: EventPublisher, placement: DataPlacement, clock: any EventClock, workDirectory: String,
                streamLimits: StreamTranscoderTable.Limits = .init(),
                report: @escaping @Sendable (String) -> Void) throws(KafkaError) {
        self.workerID = workerID
        // One request at a time: a kill loses at most the segment in hand.
        consumer = try KafkaConsumer(settings: settings, group: group, topics: [topics.name(.segments)], maxInFlight: 1)
        self.publisher = publisher
        self.placement = placement
        self.clock = clock
        transcoder = LocalTranscoder(id: workerID, streamLimits: streamLimits)
        self.workDirectory = workDirectory
        self.report = report
    }

    /// Works until `stop()`.
    public func run() async throws {
        for await batch in consumer.messages {
            for message in batch {
                try await handle(message)
                do { try await consumer.commit([message]) } catch { report("commit refused (partition moved): \(error)") }
            }
        }
    }

    /// Leaves the group; the request in hand (if any) goes to another worker.
    public func stop() { consumer.close() }

    private func handle(_ message: KafkaMessage) async throws {
        // Other event types on the segments topic are not ours; malformed messages are the log sink's to set aside.
        // The type header, when present, spares parsing the others.
        if let type = message.header(EnvelopeMessage.typeHeader), type != Array(TranscodeRequested.type.utf8) { return }
        guard let envelope = try? EnvelopeMessage.decode(message, topics: publisher.topics), TranscodeRequested.matches(envelope) else { return }
        guard let event = try? TranscodeRequested(envelope: envelope), let request = FleetRequest(event, keys: envelope.keys) else {
            report("skipped \(envelope.id): not a well-formed transcode.requested (dead-lettered by the log sink)")
            return
        }
        let started = clock.nowMilliseconds()
        let result: EventEnvelope
        var headers: [KafkaHeader] = []
        do {
            let source = try placement.fetch(event.source, header: FleetRequest.sourceHeader, in: message)
            let renditions = try await transcode(request, source: source)
            var items: [FleetRendition] = []
            for (profile, pixels, bytes) in renditions {
                let placed = try placement.place(bytes, header: FleetRequest.renditionHeader(profile))
                headers += placed.headers
                items.append(FleetRendition(profile: profile, pixels: pixels, data: placed.reference))
            }
            result = TranscodeCompleted(request: request.request, seq: request.seq, worker: workerID,
                                        elapsedMs: max(0, clock.nowMilliseconds() - started), renditions: items)
                .envelope(id: request.resultID, keys: envelope.keys, timestamp: clock.nowMilliseconds())
            report("transcoded \(request.stream) seq \(request.seq) (\(request.request))")
        } catch {
            let failure = (error as? WorkFailure) ?? (error as? FleetDataError)?.workFailure
                ?? WorkFailure(reason: "transcode", detail: "\(error)")
            result = TranscodeFailed(request: request.request, seq: request.seq, worker: workerID, reason: failure.reason, detail: failure.detail)
                .envelope(id: request.resultID, keys: envelope.keys, timestamp: clock.nowMilliseconds())
            report("failed \(request.stream) seq \(request.seq): \(failure.detail)")
        }
        try await publisher.publish([result], headers: [result.id: headers])
    }

    /// Transcodes one request's source with this worker's per-stream encoders; (profile, pixels, bytes) per rendition.
    private func transcode(_ request: FleetRequest, source: [UInt8]) async throws(WorkFailure) -> [(String, Int64, [UInt8])] {
        let directory = "\(workDirectory)/\(request.request.filter { $0.isLetter || $0.isNumber || $0 == "-" })"
        let sourcePath = "\(directory)/source.ts"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(source).write(to: URL(fileURLWithPath: sourcePath))
        } catch { throw WorkFailure(reason: "transcode", detail: "work directory: \(error)") }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let task = TranscodeTask(id: 0, manifest: request.stream, seq: request.seq, durationMs: Int32(clamping: request.durationMs),
                                 profiles: request.profiles, sourcePath: sourcePath, outputDirectory: directory)
        let renditions: [TranscodedRendition]
        do { renditions = try await transcoder.transcode(task) } catch { throw WorkFailure(reason: "transcode", detail: error.description) }
        var result: [(String, Int64, [UInt8])] = []
        for rendition in renditions {
            guard let data = FileManager.default.contents(atPath: rendition.file) else {
                throw WorkFailure(reason: "transcode", detail: "rendition \(rendition.profile.name) was not written")
            }
            result.append((rendition.profile.name, rendition.pixels, Array(data)))
        }
        return result
    }
}

/// Why a worker could not produce renditions (the `reason` and `detail` of `transcode.failed`).
struct WorkFailure: Error {
    let reason: String
    let detail: String
}

extension FleetDataError {
    var workFailure: WorkFailure {
        switch self {
        case .mismatch: WorkFailure(reason: "data-mismatch", detail: description)
        case .missing: WorkFailure(reason: "missing-data", detail: description)
        case .tooLarge, .store: WorkFailure(reason: "transcode", detail: description)
        }
    }
}
