import Broadcaster
import Dispatch
import Edge
import EthCrypto
import EventLog
import EventModel
import Foundation
import JSONCore
import LMDB
import Orchestrator
import Payments
import Projections
import StreamflowNode
import Transcoding
import Wire

/// `bench streams`: N concurrent streams through the whole node in one process — broadcasters paying,
/// sending, verifying; orchestrator edges on loopback checking payments and scheduling onto transcoder
/// pools; every event into a real log. Streams send as fast as they are served (no pacing), so the node keeps
/// up with N live streams when the realtime ratio (wall time ÷ one stream's media time) is at most 1.
/// Control-plane mode replaces transcoding with a copy (`CopyTranscoder`) to price everything else.
public enum StreamsBenchmark {
    public struct Parameters: Sendable {
        public var streams = 50
        public var segments = 10
        public var orchestrators = 4
        public var transcodersPerOrchestrator = 2
        public var controlPlane = false
        /// The log syncs every commit (as a node's does): each segment waits for its payment events on disk.
        public var durable = false
        /// gRPC and the edge over TLS (self-signed), as go-livepeer serves them.
        public var tls = true
        public var directory = "/tmp/streamflow-bench-streams"
        /// With real transcodes: the transcoders' stream idle timeout; after the run the benchmark waits it out and
        /// measures the RSS again, to show the encoders given back (nil: the 60 s default, not waited for).
        public var encoderIdleSeconds: Double?
        public init() {}
    }

    public struct Report: Sendable, Codable {
        public let mode: String
        public let streams: Int
        public let segmentsPerStream: Int
        public let delivered: Int
        public let lost: Int
        public let failedAttempts: Int
        /// The distinct reasons of failed attempts (at most 5, cut to 200 characters), so a failure can be read.
        public let failureReasons: [String]
        public let wallSeconds: Double
        public let mediaSecondsPerStream: Double
        /// Wall time ÷ one stream's media time: at most 1 means every stream was served faster than real time.
        public let realtimeRatio: Double
        public let latencyP50Ms: Int64
        public let latencyP99Ms: Int64
        public let latencyMaxMs: Int64
        /// Process CPU (user + system) per delivered segment, all parts of the node together.
        public let cpuMillisecondsPerSegment: Double
        public let events: UInt64
        public let ticketsSent: Int
        /// Resident memory right after the run, and once every stream's encoders were idle for the timeout (MB).
        public var rssAfterRunMB: Double? = nil
        public var rssAfterIdleMB: Double? = nil
    }

    public static func run(_ parameters: Parameters) async throws -> Report {
        LibavLog.errorsOnly()
        try? FileManager.default.removeItem(atPath: parameters.directory)
        try FileManager.default.createDirectory(atPath: parameters.directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parameters.directory) }
        let clip = parameters.directory + "/source.mp4"
        try FFmpegTool.run(["-f", "lavfi", "-i", "testsrc2=size=426x240:rate=30", "-t", "\(2 * parameters.segments)",
                            "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p", clip])
        let segments = try Segmenter.split(input: clip, into: parameters.directory + "/segments", seconds: 2).map {
            BroadcastSegment(seq: Int64($0.index), bytes: Array(try Data(contentsOf: URL(fileURLWithPath: $0.path))),
                             durationMs: Int32(($0.duration * 1_000).rounded()))
        }
        let log = try EventLog(directory: parameters.directory + "/log", options: .init(durability: parameters.durable ? .fsync : .noSync))
        defer { log.close() }
        let sink = LogEventSink(log: log)
        let profiles = try VideoProfile.parseList("P144p30fps16x9")
        let context = ValidationContext(currentBlock: 10, currentRound: 1, roundBlockHashes: [1: Keccak256.hash([1])],
                                        gasPrice: UInt256(1_000_000_000))
        // The orchestrators share the run's log (built by the composition root like every node; the host is not run).
        let host = try ProjectionHost(log: log, projections: [PaymentsLedgerProjection(), SchedulingProjection()],
                                      options: ProjectionHostOptions(persists: false))
        var servers: [RunningNode] = []
        var locals: [LocalTranscoder] = []
        let encoderLimits = parameters.encoderIdleSeconds.map {
            StreamTranscoderTable.Limits(maxStreams: 1_000, idleTimeoutMs: UInt64(max(0.001, $0) * 1_000))
        }
        var candidates: [OrchestratorCandidate] = []
        for index in 0..<parameters.orchestrators {
            let key = try PrivateKey.generate()
            var workers: [any TranscoderWorker] = []
            for worker in 0..<parameters.transcodersPerOrchestrator {
                let id = "o\(index)-t\(worker)"
                if parameters.controlPlane {
                    workers.append(CopyTranscoder(id: id, capacity: 1_000))
                } else {
                    let local = LocalTranscoder(id: id, capacity: 1_000, streamLimits: encoderLimits)
                    locals.append(local)
                    workers.append(local)
                }
            }
            var configuration = NodeConfiguration(
                key: key, storage: .shared(log: log, host: host, sink: sink), outputDirectory: "\(parameters.directory)/o\(index)",
                price: try PriceInfo(pricePerUnit: UInt256(1_000), pixelsPerUnit: .one), capacity: 10_000, profiles: profiles,
                transcoders: .workers(workers), chain: .fixed(context))
            configuration.tls = parameters.tls ? try TLSIdentity.selfSigned(hosts: ["127.0.0.1"]) : nil
            configuration.rpcPort = parameters.tls ? nil : 0
            let server = try await RunningNode.start(try await Node.open(configuration))
            candidates.append(OrchestratorCandidate(address: key.address, url: try await server.node.broadcasterAddress(),
                                                    pricePerPixel: 1_000, stake: 1))
            servers.append(server)
        }
        var policy = BroadcastPolicy(maxAttempts: 3, minimumAttemptSeconds: 60, minimumBudgetSeconds: 120)
        policy.countPixels = !parameters.controlPlane
        let broadcasters = try (0..<parameters.streams).map { stream in
            StreamBroadcaster(key: try PrivateKey.generate(), manifest: "bench-\(stream)", profiles: profiles.map(\.wire),
                              candidates: candidates, maxPricePerPixel: 5_000, seed: UInt64(stream + 1),
                              scratchDirectory: parameters.directory,
                              funds: (UInt256(1_000_000_000_000_000_000), UInt256(1_000_000_000_000_000_000)), policy: policy,
                              events: sink)
        }
        let cpuBefore = processCPUSeconds()
        let started = DispatchTime.now().uptimeNanoseconds
        let outcomes = await withTaskGroup(of: [SegmentOutcome].self) { group in
            for broadcaster in broadcasters {
                group.addTask {
                    var outcomes: [SegmentOutcome] = []
                    for segment in segments { outcomes.append(await broadcaster.send(segment)) }
                    return outcomes
                }
            }
            var all: [SegmentOutcome] = []
            for await outcomes in group { all += outcomes }
            return all
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        await sink.flush()
        let cpu = processCPUSeconds() - cpuBefore
        let delivered = outcomes.filter { $0.deliveredBy != nil }
        let latencies = delivered.map(\.latencyMs).sorted()
        var tickets = 0
        try log.scan(topic: .segments) { stored in
            let envelope = try stored.record().envelope
            if let dispatched = try? SegmentDispatched.decoded(from: envelope) { tickets += Int(dispatched.tickets ?? 0) }
            return true
        }
        let media = segments.reduce(0) { $0 + Double($1.durationMs) / 1_000 }
        var memory: (run: Double?, idle: Double?) = (nil, nil)
        if let idle = parameters.encoderIdleSeconds, !locals.isEmpty {
            memory.run = residentMB()
            try await Task.sleep(for: .milliseconds(Int64(idle * 1_000) + 500))
            for local in locals { local.streams.releaseIdle() }
            memory.idle = residentMB()
        }
        var report = Report(mode: parameters.controlPlane ? "control-plane (transcode replaced by a copy)" : "real transcode 240p → 144p",
                      streams: parameters.streams, segmentsPerStream: segments.count, delivered: delivered.count,
                      lost: outcomes.count - delivered.count, failedAttempts: outcomes.reduce(0) { $0 + $1.failures.count },
                      failureReasons: Array(Set(outcomes.flatMap { $0.failures.map { String($0.reason.prefix(200)) } }).sorted().prefix(5)),
                      wallSeconds: wall, mediaSecondsPerStream: media, realtimeRatio: wall / max(media, 0.001),
                      latencyP50Ms: percentile(latencies, 0.5), latencyP99Ms: percentile(latencies, 0.99), latencyMaxMs: latencies.last ?? 0,
                      cpuMillisecondsPerSegment: cpu * 1_000 / Double(max(1, delivered.count)), events: log.head.sequence,
                      ticketsSent: tickets)
        report.rssAfterRunMB = memory.run
        report.rssAfterIdleMB = memory.idle
        for server in servers { try await server.stop() }
        return report
    }

    /// This process's resident set (VmRSS), in MB.
    static func residentMB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes / 1_024
    }

    /// User + system CPU seconds of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

