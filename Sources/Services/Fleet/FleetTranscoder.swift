import Foundation
import Synchronization
public import EventModel
import JSONCore
public import KafkaBus
public import Orchestrator
import Transcoding

/// The Kafka transcoder fleet as one transcoder in an orchestrator's pool: a task becomes a `transcode.requested`
/// on the segments topic (keyed by stream, so one worker takes a stream's segments in order), and the task ends
/// when the matching `transcode.completed` or `transcode.failed` arrives on the transcode-results topic. A worker
/// that dies mid-segment delays the result by the group's rebalance (seconds), it does not lose it.
public final class FleetTranscoder: TranscoderWorker, Sendable {
    private typealias Waiter = CheckedContinuation<Result<[TranscodedRendition], TranscoderFailure>, Never>
    public let id: String
    public let capacity: Int
    /// "remote": workers in other processes (transcoder.registered v1 knows local and remote; a v2 could say kafka).
    public let kind = "remote"
    private let orchestrator: String
    private let publisher: EventPublisher
    private let results: KafkaConsumer
    private let placement: DataPlacement
    private let clock: any EventClock
    private let timeout: Duration
    private let instance: String
    /// Requests published and not answered yet: who waits for each, and its task.
    private let requests = Mutex<[String: (waiter: Waiter, task: TranscodeTask)]>([:])

    /// `group` should be this node's own (each node reads every result and keeps its own).
    public init(id: String = "kafka-fleet", capacity: Int, orchestrator: String, settings: KafkaSettings, publisher: EventPublisher,
                group: String, placement: DataPlacement, clock: any EventClock, timeout: Duration = .seconds(60)) throws(KafkaError) {
        self.id = id
        self.capacity = max(1, capacity)
        self.orchestrator = orchestrator
        self.publisher = publisher
        results = try KafkaConsumer(settings: settings, group: group, topics: [publisher.topics.name(.transcodeResults)])
        self.placement = placement
        self.clock = clock
        self.timeout = timeout
        instance = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// Reads results until `stop()`; run it beside the node.
    public func run() async {
        for await batch in results.messages {
            for message in batch { deliver(message) }
            try? await results.commit(batch)
        }
    }

    public func stop() {
        results.close()
        let abandoned = requests.withLock { requests in
            defer { requests = [:] }
            return requests.values.map(\.waiter)
        }
        for waiter in abandoned { waiter.resume(returning: .failure(.disconnected)) }
    }

    public func transcode(_ task: TranscodeTask) async throws(TranscoderFailure) -> [TranscodedRendition] {
        // One request id per segment of this node's run, so a retried task's results are stored once.
        let request = FleetRequest(request: "\(orchestrator.suffix(8))-\(instance)-\(task.manifest)-\(task.seq)", stream: task.manifest,
                                   orchestrator: orchestrator, seq: task.seq, durationMs: Int64(task.durationMs),
                                   profiles: task.profiles)
        guard let source = FileManager.default.contents(atPath: task.sourcePath) else {
            throw .transcode("source \(task.sourcePath) is unreadable")
        }
        let placed: (reference: FleetDataReference, headers: [KafkaHeader])
        do { placed = try placement.place(Array(source), header: FleetRequest.sourceHeader) } catch { throw .transcode(error.description) }
        let event = request.event(source: placed.reference, timestamp: clock.nowMilliseconds())
        let id = request.request
        let publisher = publisher
        // The result arrives on the results topic (`deliver`); timing out or cancellation ends the wait.
        let outcome = await withTimeout(timeout, onTimeout: { .failure(.timeout) }) { [self] in
            await withTaskCancellationHandler {
                await withCheckedContinuation { (waiter: Waiter) in
                    requests.withLock { $0[id] = (waiter, task) }
                    if Task.isCancelled { finish(id, .failure(.timeout)) }  // cancelled before it was registered
                    Task {
                        do { try await publisher.publish([event], headers: [event.id: placed.headers]) } catch {
                            finish(id, .failure(.transcode("publishing the request failed: \(error)")))
                        }
                    }
                }
            } onCancel: {
                finish(id, .failure(.timeout))
            }
        }
        return try outcome.get()
    }

    /// Matches a result to a waiting task (results for other nodes or finished tasks are ignored).
    private func deliver(_ message: KafkaMessage) {
        guard let envelope = try? EnvelopeMessage.decode(message, topics: publisher.topics),
              TranscodeCompleted.matches(envelope) || TranscodeFailed.matches(envelope),
              let request = envelope.payload["request"]?.stringValue,
              let task = requests.withLock({ $0[request]?.task }) else { return }
        do {
            if let completed = try TranscodeCompleted.decoded(from: envelope) {
                finish(request, Result { () throws(TranscoderFailure) in try renditions(of: completed, message: message, task: task) })
            } else if let failed = try TranscodeFailed.decoded(from: envelope) {
                finish(request, .failure(.transcode(failed.detail)))
            }
        } catch {
            finish(request, .failure(.badResult(error.description)))
        }
    }

    private func renditions(of completed: TranscodeCompleted, message: KafkaMessage, task: TranscodeTask) throws(TranscoderFailure)
        -> [TranscodedRendition] {
        var result: [TranscodedRendition] = []
        for profile in task.profiles {
            guard let item = completed.renditions.first(where: { $0.profile == profile.name }) else {
                throw .badResult("no \(profile.name) rendition")
            }
            let pixels = item.pixels
            let bytes: [UInt8]
            do { bytes = try placement.fetch(item.data, header: FleetRequest.renditionHeader(profile.name), in: message) } catch {
                throw .badResult(error.description)
            }
            let path = task.renditionPath(profile: profile)
            do {
                try FileManager.default.createDirectory(atPath: task.outputDirectory, withIntermediateDirectories: true)
                try Data(bytes).write(to: URL(fileURLWithPath: path))
            } catch { throw .badResult("writing \(path): \(error)") }
            result.append(TranscodedRendition(profile: profile, file: path, pixels: pixels))
        }
        return result
    }

    private func finish(_ request: String, _ outcome: Result<[TranscodedRendition], TranscoderFailure>) {
        requests.withLock { $0.removeValue(forKey: request)?.waiter }?.resume(returning: outcome)
    }
}
