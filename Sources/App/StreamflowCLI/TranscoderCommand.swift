import ArgumentParser
import EventModel
import Fleet
import Foundation
import KafkaBus
import Transcoding
import TranscoderAgent
import WireRPC

/// `streamflow transcoder`: a remote transcoder for an orchestrator (go-livepeer's -transcoder mode), or with
/// `--kafka BROKERS` a worker of the Kafka fleet consuming the segments topic in a consumer group.
struct TranscoderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcoder",
        abstract: "Transcode for an orchestrator: registered over gRPC (--orchestrator), or as a Kafka fleet worker (--kafka).")

    @Option(help: "The orchestrator's gRPC address: host:port (TLS), https://host:port or http://host:port (plaintext).")
    var orchestrator: String?
    @Option(help: "The orchestrator's --transcoder-secret.") var secret: String?
    @Option(help: "Segments transcoded at once (gRPC mode; a Kafka worker takes one at a time: run more workers).")
    var capacity = 1
    @Option(help: "Where sources and renditions are kept while a segment is transcoded.") var work: String?
    @Option(help: "Kafka mode: the worker's consumer group.") var group = "streamflow-transcoders"
    @Option(help: "Kafka mode: this worker's name in results (default: host-pid).") var workerId: String?
    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var streamLimits: StreamLimitOptions
    @Option(help: "A JSON file of these options (keys are the long names, e.g. \"topic-prefix\"); options given here win.")
    var config: String?

    func run() async throws {
        LibavLog.errorsOnly()
        let directory = work ?? FileManager.default.temporaryDirectory.appendingPathComponent("streamflow-transcoder-\(getpid())").path
        if kafka.brokers != nil {
            guard orchestrator == nil else { throw ValidationError("give --orchestrator or --kafka, not both") }
            return try await runFleetWorker(directory: directory)
        }
        guard let orchestrator, let secret else { throw ValidationError("give --orchestrator and --secret, or --kafka BROKERS") }
        let address = try NodeAddress(orchestrator)
        let agent = TranscoderAgent(orchestrator: address, secret: secret, capacity: capacity, workDirectory: directory,
                                     streamLimits: streamLimits.encoderLimits(capacity: capacity)) { line in
            FileHandle.standardOutput.write(Data("\(line)\n".utf8))
        }
        do {
            try await agent.run()
        } catch {
            throw CLIError(error.description)
        }
    }

    private func runFleetWorker(directory: String) async throws {
        let name = workerId ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        let settings = try kafka.connect(clientID: "streamflow-transcoder-\(name)")
        let producer = try KafkaProducer(settings: settings)
        defer { producer.close() }
        let worker = try FleetWorker(
            workerID: name, settings: settings, topics: kafka.topics, group: group,
            publisher: EventPublisher(producer: producer, topics: kafka.topics), placement: kafka.placement, clock: SystemClock(),
            workDirectory: directory, streamLimits: streamLimits.encoderLimits(capacity: 1)) { line in FileHandle.standardOutput.write(Data("\(line)\n".utf8)) }
        FileHandle.standardOutput.write(Data("worker \(name) in group \(group) on \(kafka.brokers ?? "") (librdkafka \(KafkaSettings.libraryVersion))\n".utf8))
        let stop = SignalStop { worker.stop() }
        try await worker.run()
        _ = stop
    }
}
