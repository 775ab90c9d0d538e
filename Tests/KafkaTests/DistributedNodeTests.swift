import EventLog
import EventModel
import Foundation
import FoundationNetworking
import JSONCore
import KafkaBus
import Scenarios
import Testing
import TestSupport

/// Distributed mode as processes: `streamflow node --kafka`, `streamflow transcoder --kafka` workers and
/// `streamflow broadcast`, against a real broker on loopback.
@Suite(.serialized) struct DistributedNodeTests {
    /// The node's gRPC URL from its start line.
    static func nodeURL(_ node: ChildProcess) -> String? {
        guard let line = node.output.split(separator: "\n").first(where: { $0.hasPrefix("node 0x") }),
              let range = line.range(of: "serving at ") else { return nil }
        return String(line[range.upperBound...].prefix { $0 != " " })
    }

    static func startNode(broker: String, data: String, prefix: String, name: String = "node") async throws -> ChildProcess {
        let node = try ChildProcess.streamflow(
            ["node", "--kafka", broker, "--data", data, "--port", "0", "--no-tls", "--topic-prefix", prefix, "--partitions", "3",
             "--profiles", "P144p30fps16x9"],
            outputPath: data + "-\(name).out")
        guard await node.waitFor("serving at", seconds: 60) else { throw MediaTools.Failure(description: "node: \(node.output)") }
        return node
    }

    static func startWorker(broker: String, prefix: String, name: String, directory: String) async throws -> ChildProcess {
        let worker = try ChildProcess.streamflow(
            ["transcoder", "--kafka", broker, "--worker-id", name, "--topic-prefix", prefix, "--work", "\(directory)/\(name)"],
            outputPath: "\(directory)/\(name).out")
        guard await worker.waitFor("in group", seconds: 60) else { throw MediaTools.Failure(description: "\(name): \(worker.output)") }
        return worker
    }

    /// Every event of a stopped node's log.
    static func records(_ data: String) throws -> [EventRecord] {
        var options = EventLog.Options()
        options.readOnly = true
        let log = try EventLog(directory: data + "/log", options: options)
        defer { log.close() }
        return try KafkaTestKit.events(log)
    }

    @Test func aWorkerKilledMidStreamLosesNoSegmentAndEachHasOneResult() async throws {
        let (broker, _, _) = try await KafkaTestKit.broker(prefix: "fleet.")
        defer { broker.stop() }
        let directory = try KafkaTestKit.temporary("fleet")
        let input = directory + "/in.mp4"
        try KafkaTestKit.clip(input, seconds: 16)
        let node = try await Self.startNode(broker: broker.address, data: directory + "/node", prefix: "fleet.")
        defer { node.stop() }
        var workers: [String: ChildProcess] = [:]
        for name in ["w1", "w2", "w3"] {
            workers[name] = try await Self.startWorker(broker: broker.address, prefix: "fleet.", name: name, directory: directory)
        }
        defer { for worker in workers.values { worker.stop() } }
        let url = try #require(Self.nodeURL(node))
        // The broadcast and the watcher run on their own threads: blocking calls on the cooperative pool (two threads
        // here, shared with every suite running in parallel) could starve a watcher and make the kill come too late.
        async let broadcast = OffPool.run {
            try StreamflowExecutable.run(["broadcast", input, "--orchestrators", url, "--out", directory + "/out",
                                          "--profiles", "P144p30fps16x9", "--attempt-timeout", "60"])
        }
        // The worker that has the stream's partition: kill it as soon as it has done two segments.
        let candidates = workers
        let victim = try await OffPool.run { () -> String? in
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                if let found = candidates.first(where: { $0.value.output.contains("transcoded broadcast seq 1 ") }) {
                    found.value.kill(SIGKILL)
                    return found.key
                }
                usleep(5_000)
            }
            return nil
        }
        let killed = try #require(victim, "no worker transcoded the stream")
        let outcome = try await broadcast
        #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
        #expect(outcome.stdout.contains("8 segments: 8 delivered, 0 lost"), "\(outcome.stdout)")
        #expect(node.stop() == 0)

        let records = try Self.records(directory + "/node")
        let requests = records.filter { $0.envelope.type == "transcode.requested" }
        let results = records.filter { $0.envelope.type.hasPrefix("transcode.") && $0.envelope.topic == .transcodeResults }
        let requestedSeqs = Set(requests.compactMap { $0.envelope.payload["seq"]?.integerValue })
        #expect(requestedSeqs == Set(0..<8))
        // Exactly one result per request, and every one a success.
        var perRequest: [String: Int] = [:]
        for result in results { perRequest[result.envelope.payload["request"]?.stringValue ?? "", default: 0] += 1 }
        #expect(perRequest.count == requests.count)
        #expect(perRequest.values.allSatisfy { $0 == 1 })
        #expect(results.allSatisfy { $0.envelope.type == "transcode.completed" })
        // Segments after the kill were done by the workers still alive.
        let byWorker = Set(results.compactMap { $0.envelope.payload["worker"]?.stringValue })
        #expect(byWorker.count >= 2, "results came from \(byWorker)")
        let lastSeq = results.filter { $0.envelope.payload["seq"]?.integerValue == 7 }.first
        #expect(lastSeq?.envelope.payload["worker"]?.stringValue != killed)
        let verify = try KafkaTestKit.verifies(directory + "/node")
        #expect(verify.passed, "\(verify.output)")
        // A clean shutdown signs the head: the last event is the node's checkpoint of the one before it.
        let last = try #require(records.last)
        #expect(last.envelope.type == "log.checkpoint" && last.envelope.payload["sequence"]?.integerValue == Int64(last.sequence) - 1)
        #expect(verify.output.contains("last signed sequence \(last.sequence - 1)"), "\(verify.output)")
    }

    @Test func theNodeKilledAndRestartedLosesAndDuplicatesNothing() async throws {
        let (broker, settings, topics) = try await KafkaTestKit.broker(prefix: "restart.")
        defer { broker.stop() }
        let directory = try KafkaTestKit.temporary("restart")
        let data = directory + "/node"
        var node = try await Self.startNode(broker: broker.address, data: data, prefix: "restart.", name: "first")
        let producer = try KafkaProducer(settings: settings)
        defer { producer.close() }
        let publisher = EventPublisher(producer: producer, topics: topics)
        var synthetic = (0..<4).map { SyntheticEvents(seed: UInt64($0), stream: "restart-\($0)") }
        var published: [String] = []
        for round in 0..<40 {
            let batch = (0..<100).map { synthetic[$0 % 4].next() }
            try await publisher.publish(batch)
            published += batch.map(\.id)
            if round == 12 {
                node.kill(SIGKILL)  // mid-consumption: some of what it appended is not committed yet
                node.process.waitUntilExit()
            }
            if round == 20 { node = try await Self.startNode(broker: broker.address, data: data, prefix: "restart.", name: "second") }
            try await Task.sleep(for: .milliseconds(30))
        }
        // Wait for the restarted node to have everything, then stop it.
        let all = Set(published)
        let stored = try await KafkaTestKit.eventually(seconds: 90) {
            let ids = Set((try? Self.records(data))?.map(\.envelope.id) ?? [])
            return all.isSubset(of: ids)
        }
        #expect(stored, "not every published event reached the log")
        #expect(node.stop() == 0)
        let records = try Self.records(data)
        let ids = records.map(\.envelope.id)
        #expect(Set(ids).count == ids.count, "an event is in the log twice")
        #expect(all.isSubset(of: Set(ids)))
        #expect(records.filter { all.contains($0.envelope.id) }.count == 4_000)
        // Per stream, the log keeps the order the events were published in.
        for stream in 0..<4 {
            let order = records.filter { $0.envelope.keys.stream == "restart-\(stream)" }.map(\.envelope.id)
            #expect(order == published.filter { $0.hasPrefix("restart-\(stream)/") })
        }
        let verify = try KafkaTestKit.verifies(data)
        #expect(verify.passed, "\(verify.output)")
    }

    @Test func aSegmentProducedByConfluentKafkaIsTranscoded() async throws {
        let (broker, _, _) = try await KafkaTestKit.broker(prefix: "py.")
        defer { broker.stop() }
        let directory = try KafkaTestKit.temporary("python")
        let source = directory + "/segment.ts"
        try KafkaTestKit.clip(source, seconds: 2)
        let node = try await Self.startNode(broker: broker.address, data: directory + "/node", prefix: "py.")
        defer { node.stop() }
        let worker = try await Self.startWorker(broker: broker.address, prefix: "py.", name: "w1", directory: directory)
        defer { worker.stop() }
        let schema = PythonOracle.packageRoot.appendingPathComponent("Schemas/transcode.requested.v1.schema.json").path
        let script = """
            import json, sys, time
            from Crypto.Hash import keccak
            from confluent_kafka import Producer, Consumer
            import jsonschema
            broker, source, schema_path, rendition_path = sys.argv[1:5]
            data = open(source, "rb").read()
            digest = "0x" + keccak.new(digest_bits=256, data=data).hexdigest()
            event = {"id": "py-request-1", "type": "transcode.requested", "version": 1, "topic": "segments",
                     "keys": {"stream": "py-stream", "orchestrator": "0x" + "ab" * 20}, "timestamp": int(time.time() * 1000),
                     "payload": {"request": "py-1", "seq": 0, "durationMs": 2000,
                                 "profiles": [{"name": "P144p30fps16x9", "width": 256, "height": 144, "bitrate": 400000, "fps": 30}],
                                 "source": {"bytes": len(data), "dataHash": digest, "inline": True}}}
            jsonschema.validate(event["payload"], json.load(open(schema_path)))
            p = Producer({"bootstrap.servers": broker, "enable.idempotence": True, "acks": "all"})
            p.produce("py.segments", key=b"py-stream", value=json.dumps(event).encode(),
                      headers=[("streamflow-type", b"transcode.requested"), ("streamflow-data", data)])
            assert p.flush(20) == 0
            c = Consumer({"bootstrap.servers": broker, "group.id": "py-results", "auto.offset.reset": "earliest",
                          "session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
            c.subscribe(["py.transcode-results"])
            deadline = time.time() + 120
            while time.time() < deadline:
                m = c.poll(0.5)
                if m is None or m.error(): continue
                result = json.loads(m.value())
                if result["payload"]["request"] != "py-1": continue
                headers = dict(m.headers())
                rendition = result["payload"]["renditions"][0]
                body = headers["streamflow-data-" + rendition["profile"]]
                assert "0x" + keccak.new(digest_bits=256, data=body).hexdigest() == rendition["data"]["dataHash"]
                open(rendition_path, "wb").write(body)
                print(json.dumps({"type": result["type"], "id": result["id"], "pixels": rendition["pixels"]}))
                break
            c.close()
            """
        let rendition = directory + "/rendition.ts"
        let output = try await OffPool.run {
            try PythonOracle.run(script: script, arguments: [broker.address, source, schema, rendition])
        }
        let answer = try JSONParser.parse(Array(output))
        #expect(answer["type"]?.stringValue == "transcode.completed")
        #expect(answer["id"]?.stringValue == "transcode.result:py-1")
        let probe = try MediaTools.probe(rendition, ["-show_entries", "stream=width,height", "-select_streams", "v:0"])
        let stream = (probe["streams"] as? [[String: Any]])?.first
        #expect(stream?["width"] as? Int == 256)
        #expect(stream?["height"] as? Int == 144)
        #expect((answer["pixels"]?.integerValue ?? 0) == 256 * 144 * 60)
        // The node's log sink stored the Python client's request and the worker's result.
        #expect(node.stop() == 0)
        let types = Set(try Self.records(directory + "/node").map { "\($0.envelope.type) \($0.envelope.id)" })
        #expect(types.contains("transcode.requested py-request-1"))
        #expect(types.contains("transcode.completed transcode.result:py-1"))
    }
}

/// `streamflow broadcaster --kafka`: a broadcaster with no log of its own whose events reach the node's log
/// through the topics, beside the node's own events for the same segments.
@Suite(.serialized) struct KafkaBroadcasterTests {
    @Test func aPushIngestBroadcastersEventsReachTheNodesLog() async throws {
        let (broker, _, _) = try await KafkaTestKit.broker(prefix: "bc.")
        defer { broker.stop() }
        let directory = try KafkaTestKit.temporary("broadcaster")
        let node = try await DistributedNodeTests.startNode(broker: broker.address, data: directory + "/node", prefix: "bc.")
        defer { node.stop() }
        let worker = try await DistributedNodeTests.startWorker(broker: broker.address, prefix: "bc.", name: "w1", directory: directory)
        defer { worker.stop() }
        let url = try #require(DistributedNodeTests.nodeURL(node))
        let broadcaster = try ChildProcess.streamflow(
            ["broadcaster", "--kafka", broker.address, "--topic-prefix", "bc.", "--out", directory + "/bc", "--port", "0",
             "--orchestrators", url, "--profiles", "P144p30fps16x9", "--attempt-timeout", "60"],
            outputPath: directory + "/broadcaster.out")
        defer { broadcaster.stop() }
        #expect(await broadcaster.waitFor("ingest at", seconds: 60), "\(broadcaster.output)")
        let line = try #require(broadcaster.output.split(separator: "\n").first { $0.hasPrefix("ingest at ") })
        let announced = String(line.dropFirst("ingest at ".count))
        let base = String(announced[..<(try #require(announced.range(of: "/live/"))).lowerBound])
        for seq in 0..<2 {
            let clip = "\(directory)/clip-\(seq).ts"
            try KafkaTestKit.clip(clip, seconds: 2)
            var request = URLRequest(url: try #require(URL(string: "\(base)/live/show/\(seq).ts")))
            request.httpMethod = "PUT"
            request.setValue("2000", forHTTPHeaderField: "Content-Duration")
            let (data, response) = try await URLSession.shared.upload(for: request, from: try Data(contentsOf: URL(fileURLWithPath: clip)))
            #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: data, as: UTF8.self))")
        }
        #expect(broadcaster.stop() == 0, "\(broadcaster.output)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/bc/log"), "with --kafka the broadcaster keeps no log of its own")
        // The broadcaster's segment.delivered events (it alone writes them) are in the node's log, with the node's own.
        let delivered = try await KafkaTestKit.eventually(seconds: 60) {
            let records = (try? DistributedNodeTests.records(directory + "/node")) ?? []
            return records.filter { $0.envelope.type == "segment.delivered" && $0.envelope.keys.stream == "show" }.count == 2
        }
        #expect(delivered)
        #expect(node.stop() == 0)
        let types = Set(try DistributedNodeTests.records(directory + "/node").map(\.envelope.type))
        for type in ["segment.ingested", "ticket.issued", "segment.dispatched", "segment.delivered", "payment.received",
                     "transcode.requested", "transcode.completed"] {
            #expect(types.contains(type), "\(type) missing from the node's log")
        }
    }
}
