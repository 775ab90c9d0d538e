import ArgumentParser
import Benchmarks
import Foundation
import WireRPC

/// `streamflow bench …`: the benchmarks each issue names (commands, not timed tests).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Run benchmarks and print their figures.", subcommands: [Crypto.self, Log.self, Tickets.self, Transcode.self, Streams.self, Kafka.self, BenchLivepeerCommand.self])

    struct Crypto: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "keccak256 (32 B, 1 KiB), sign, recover; raw libsecp256k1 recover as the anchor.")

        @Flag(help: "Print JSON instead of a table.")
        var json = false
        @Option(help: "Scale the iteration counts (e.g. 0.1 for a quick run).")
        var scale: Double = 1

        func run() throws {
            let report = try CryptoBenchmark.run(scale: scale)
            if json {
                return try printJSON(report)
            }
            print("benchmark".padding(toLength: 44, withPad: " ", startingAt: 0) + "    ns/op      ops/s       MB/s")
            for m in report.measurements {
                let mbps = m.megabytesPerSecond.map { String(format: "%10.1f", $0) } ?? "         -"
                print(m.name.padding(toLength: 44, withPad: " ", startingAt: 0)
                    + String(format: "%9.1f %10.0f %@", m.nanosecondsPerOperation, m.operationsPerSecond, mbps))
            }
            print(String(format: "recover overhead vs raw libsecp256k1: %.3f× (goal ≤ 1.2×)", report.recoverOverheadRatio))
            print(String(format: "keccak256 on 1 KiB: %.0f MB/s (goal ≥ 250 MB/s)", report.keccak1KiBMegabytesPerSecond))
            print("goals met: \(report.goalsMet ? "yes" : "no")")
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "200-byte events: batched, durable, group commit, scan, verify; raw LMDB as the anchor.")

        @Flag(help: "Print JSON instead of a table.") var json = false
        @Option(help: "Scale the event counts (e.g. 0.1 for a quick run).") var scale: Double = 1
        @Option(help: "Scratch directory (removed afterwards).") var directory = "/tmp/streamflow-bench-log"
        @Option(help: "Run only these parts (repeatable): batched (with scan and verify), durable, writer, prepare, group.")
        var only: [String] = []

        func run() throws {
            var parts = Set(LogBenchmark.Part.allCases)
            if !only.isEmpty {
                parts = try Set(only.map { name in
                    guard let part = LogBenchmark.Part(rawValue: name) else {
                        throw ValidationError("unknown part \(name); choose from \(LogBenchmark.Part.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return part
                })
            }
            let report = try LogBenchmark.run(scale: scale, directory: directory, only: parts)
            if json {
                return try printJSON(report)
            }
            print(String(format: "raw LMDB anchor: %.0f puts/s batched (MDB_APPEND, 1,000/txn, no fsync), %.0f durable commits/s",
                         report.rawBatchedPerSecond, report.rawDurableCommitsPerSecond))
            for figure in report.figures {
                let goal = figure.goal.map { String(format: "goal ≥ %.0f: %@", $0, figure.met == true ? "met" : "NOT met") } ?? ""
                print(figure.name.padding(toLength: 58, withPad: " ", startingAt: 0)
                    + String(format: "%12.0f events/s  ", figure.eventsPerSecond) + goal)
            }
            if parts.contains(.batched) { print(String(format: "log batched ÷ raw LMDB batched: %.2f", report.batchedRatioToRaw)) }
            if parts.contains(.group) { print(String(format: "events per group commit with 64 writers: %.1f", report.eventsPerGroupCommit)) }
        }
    }

    struct Kafka: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "200-byte events produced, consumed by the log sink and appended to the LMDB log; librdkafka alone as the anchor.")

        @Option(help: "Kafka bootstrap brokers (host:port,…); e.g. a local Tansu broker (see docs/OPERATIONS.md).") var brokers: String
        @Option(help: "Events to send.") var events = 300_000
        @Flag(help: "Append without fsync (the log's default is fsync per commit).") var noSync = false
        @Option(help: "Pace the producer at this many events/s (default: as fast as it can; pace below the throughput to see latency without a queue).")
        var rate: Double?
        @Option(help: "Events per Kafka message: 1 sends each alone; more batches each key's events (BatchMessage).")
        var eventsPerMessage = 1
        @Flag(help: "Print JSON instead of a table.") var json = false
        @Option(help: "Scratch directory for the log (removed afterwards).") var directory = "/tmp/streamflow-bench-kafka"

        func validate() throws {
            guard eventsPerMessage >= 1, eventsPerMessage <= 10_000 else {
                throw ValidationError("--events-per-message must be 1…10000")
            }
        }

        func run() async throws {
            let report = try await KafkaBenchmark.run(brokers: brokers, events: events, directory: directory, durable: !noSync,
                                                      rate: rate, eventsPerMessage: eventsPerMessage)
            if json {
                return try printJSON(report)
            }
            print("librdkafka \(report.librdkafka); \(report.events) events of 200 bytes, \(report.eventsPerMessage) per message; "
                + "log durability \(report.durability); "
                + (report.pacedRate > 0 ? String(format: "producer paced at %.0f events/s", report.pacedRate) : "producer unpaced"))
            print(String(format: "librdkafka alone (anchor), produce + consume: %12.0f events/s", report.rawKafkaPerSecond))
            let goal = report.pacedRate > 0 ? "(paced: the throughput goal needs an unpaced run)" : (report.met ? "goal ≥ 100000: met" : "goal ≥ 100000: NOT met")
            print(String(format: "produce → consume → LMDB log:                %12.0f events/s  %@", report.eventsPerSecond, goal))
            print(String(format: "ratio to the anchor: %.2f; end-to-end latency p50 %.0f ms, p99 %.0f ms",
                         report.ratioToRaw, report.p50LatencyMs, report.p99LatencyMs))
            print(String(format: "one core, no Kafka: encode %.0f events/s; decode + validate + prepare %.0f events/s",
                         report.encodePerSecond, report.decodeAndPreparePerSecond))
            print(String(format: "log sink: %.0f events per consumer batch, %d log commits; the broker had every event after %.2f s of %.2f s",
                         report.eventsPerBatch, report.logCommits, report.producedSeconds, report.seconds))
        }
    }

    struct Tickets: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tickets validated per second (batches of 1,000 with the durable event append), 1 and 2 cores.")

        @Flag(help: "Print JSON instead of a table.") var json = false
        @Option(help: "Scale the batch count (16 batches at 1).") var scale: Double = 1
        @Option(help: "Scratch directory for the log (removed afterwards).") var directory = "/tmp/streamflow-bench-tickets"

        func run() throws {
            let report = try TicketBenchmark.run(scale: scale, directory: directory)
            if json {
                return try printJSON(report)
            }
            print("\(report.batches) batches × \(report.ticketsPerBatch) tickets (2 payments of 500), \(report.winners) winners in the last batch")
            print(String(format: "raw libsecp256k1 recover (anchor):     %7.1f µs", report.rawRecoverMicroseconds))
            print(String(format: "stateless checks only, 1 core:         %7.1f µs/ticket", report.checkOnlyMicroseconds))
            print(String(format: "event building and encoding:           %7.1f µs/ticket", report.eventEncodeMicroseconds))
            print(String(format: "validate + replay check + append, 1 core: %7.1f µs/ticket = %.0f tickets/s",
                         report.oneCoreMicroseconds, report.oneCoreTicketsPerSecond))
            print(String(format: "same on 2 cores:                        %.0f tickets/s", report.twoCoreTicketsPerSecond))
            print(String(format: "per ticket ÷ raw recover: %.3f× (goal ≤ 1.3×)", report.overheadRatio))
            print(String(format: "2 cores ÷ 1 core: %.2f× (goal ≥ 1.8×)", report.twoCoreSpeedup))
            print("goals met: \(report.goalsMet ? "yes" : "no")")
        }
    }

    struct Transcode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "10 s 720p30 → 480p + 360p + 240p in 2 s segments, against the ffmpeg CLI doing the same ladder.")

        @Flag(help: "Print JSON instead of a table.") var json = false
        @Option(help: "x264 preset for both.") var preset = "veryfast"
        @Option(help: "Scratch directory (removed afterwards).") var directory = "/tmp/streamflow-bench-transcode"

        func run() throws {
            let report = try TranscodeBenchmark.run(directory: directory, preset: preset)
            if json {
                return try printJSON(report)
            }
            print(String(format: "%.1f s of 720p30 in %d segments → 480p + 360p + 240p (libx264 %@)", report.mediaSeconds,
                         report.segments, preset))
            print(String(format: "streamflow: %.2f s, %.1f fps, realtime ratio %.3f", report.streamflowSeconds,
                         report.framesPerSecond, report.realtimeRatio))
            print(String(format: "ffmpeg CLI: %.2f s (whole file, same ladder and settings)", report.ffmpegSeconds))
            print(String(format: "streamflow ÷ ffmpeg: %.3f× (goal ≤ 1.1×)", report.ratioToFFmpeg))
            print("goal met: \(report.goalMet ? "yes" : "no")")
        }
    }

    struct Streams: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "N concurrent streams through the whole node in one process (broadcasters, edges, schedulers, transcoders, log).",
            discussion: """
                Real mode transcodes 240p → 144p; goals on 2 cores: N = 50, every segment delivered, realtime ratio ≤ 1. \
                --control-plane replaces the transcode with a copy (clearly not a transcode) to price negotiation, payment, \
                events and scheduling per segment at N ≥ 500.
                """)

        @Option(help: "Concurrent streams.") var streams = 50
        @Option(help: "2 s segments per stream.") var segments = 10
        @Option(help: "Orchestrators on loopback.") var orchestrators = 4
        @Option(help: "Transcoders per orchestrator.") var transcoders = 2
        @Flag(help: "Replace the transcode by a copy: measure the control plane only.") var controlPlane = false
        @Flag(help: "Sync the log on every commit, as a node does (default: no sync, to measure CPU).") var durable = false
        @Flag(help: "Broadcasters post segments and fetch renditions over HTTP/2 (default HTTP/1.1).") var http2 = false
        @Flag(help: "Print JSON instead of a table.") var json = false
        @Option(help: "Scratch directory (removed afterwards).") var directory = "/tmp/streamflow-bench-streams"
        @Option(help: "Real transcodes: the streams' encoder idle timeout (s); the run then waits it out and reports RSS before and after.")
        var encoderIdleSeconds: Double?

        func run() async throws {
            var parameters = StreamsBenchmark.Parameters()
            parameters.encoderIdleSeconds = encoderIdleSeconds
            parameters.streams = streams
            parameters.segments = segments
            parameters.orchestrators = orchestrators
            parameters.transcodersPerOrchestrator = transcoders
            parameters.controlPlane = controlPlane
            parameters.durable = durable
            parameters.directory = directory
            EdgeHTTP.usesHTTP2 = http2
            let report = try await StreamsBenchmark.run(parameters)
            if json {
                return try printJSON(report)
            }
            print("mode: \(report.mode)")
            print("\(report.streams) streams × \(report.segmentsPerStream) segments: \(report.delivered) delivered, \(report.lost) lost, "
                  + "\(report.failedAttempts) failed attempts")
            for reason in report.failureReasons { print("  failed attempt: \(reason)") }
            print(String(format: "wall %.1f s for %.0f s of media per stream: realtime ratio %.3f (goal ≤ 1)", report.wallSeconds,
                         report.mediaSecondsPerStream, report.realtimeRatio))
            print("segment latency under this load: p50 \(report.latencyP50Ms) ms, p99 \(report.latencyP99Ms) ms, max \(report.latencyMaxMs) ms")
            print(String(format: "CPU per delivered segment (whole node): %.2f ms; %d tickets; %llu events logged",
                         report.cpuMillisecondsPerSegment, report.ticketsSent, report.events))
            if let run = report.rssAfterRunMB, let idle = report.rssAfterIdleMB {
                print(String(format: "RSS after the run %.0f MB; once the streams' encoders were idle and released %.0f MB", run, idle))
            }
            let met = report.lost == 0 && (controlPlane || report.realtimeRatio <= 1)
            print("goal met: \(met ? "yes" : "no")")
        }
    }
}

/// A benchmark report as pretty, key-sorted JSON on stdout (`--json`).
func printJSON(_ report: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(report), as: UTF8.self))
}
