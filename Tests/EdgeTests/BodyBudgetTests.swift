import Foundation
import NIOCore
import Orchestrator
import SwiftProtobuf
import Testing
import Transcoding
import Wire
@testable import Edge

/// The node-wide budget of request bytes: reservations, refusals, release.
@Suite("body budget")
struct BodyBudgetTests {
    @Test("reservations grow up to the node's limit and the request's; a refusal takes nothing; dropping one gives it back")
    func reserveAndRelease() throws {
        let budget = BodyBudget(limit: 100, requestLimit: 60)
        let first = budget.reservation()
        try first.grow(to: 60)
        let second = budget.reservation()
        try second.grow(to: 30)
        #expect(budget.inFlight == 90)
        #expect(throws: BodyRefusal.overBudget(limit: 100)) { try second.grow(to: 50) }
        #expect(second.bytes == 30 && budget.inFlight == 90, "a refused growth leaves what was held")
        #expect(throws: BodyRefusal.tooLarge(limit: 60)) { try second.grow(to: 61) }
        #expect(throws: BodyRefusal.tooLarge(limit: 20)) { try budget.reservation(limit: 20).grow(to: 21) }
        first.release()
        #expect(budget.inFlight == 30)
        try second.grow(to: 60)
        #expect(budget.inFlight == 60)
        do { let third = budget.reservation(); try third.grow(to: 40) }
        #expect(budget.inFlight == 60, "a reservation dropped without release gives its bytes back")
        #expect(BodyRefusal.overBudget(limit: 100).status == 503 && BodyRefusal.tooLarge(limit: 1).status == 413)
        #expect(BodyRefusal.overBudget(limit: 100).description.contains("retry in"))
    }
}

/// Request bodies over HTTP: headers checked before the body is read, the per-request cap and the node's budget
/// refused at once, and memory bounded by the budget while bodies are withheld.
@Suite("request bodies under the budget", .serialized)
struct RequestBodyLimitTests {
    /// An off-chain orchestrator's plaintext edge with `limits`; its port.
    static func edge(_ directory: String, limits: ServerLimits, hub: RemoteTranscoderHub? = nil) async throws -> (EdgeServer, Int) {
        let orchestrator = try TestOrchestrator(directory: directory, tls: false, offchain: true)
        let edge = EdgeServer(node: orchestrator.node, context: { TestOrchestrator.chain }, hub: hub, limits: limits)
        let url = try await edge.start()
        return (edge, try #require(URL(string: url)?.port))
    }

    /// An off-chain segment header that passes every header check (auth token, profiles), and an empty payment.
    static func segmentHeaders(seq: Int64) throws -> String {
        var segment = Net_SegData()
        segment.manifestID = Data("limits".utf8)
        segment.seq = seq
        segment.hash = Data(count: 32)
        segment.duration = 2_000
        segment.authToken = AuthTokens.make(secret: TestOrchestrator.authSecret, sessionID: "s", expiration: EdgeServer.wallClock() + 600)
        segment.fullProfiles = try VideoProfile.parseList("P144p30fps16x9").map(\.wire)
        return "Livepeer-Segment: \(try segment.serializedData().base64EncodedString())\r\nLivepeer-Payment: \r\n"
    }

    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sf-bodies-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("refused headers, a wrong transcoder secret, an oversize Content-Length and a full budget are answered without the body being sent")
    func refusedBeforeTheBody() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let limits = ServerLimits(budget: BodyBudget(limit: 100 << 20, requestLimit: 64 << 20))
        let hub = RemoteTranscoderHub(secret: "right secret")
        let (edge, port) = try await Self.edge(directory, limits: limits, hub: hub)
        defer { edge.stop() }
        // Each request declares a large body and sends none of it: an answer proves the body was not awaited.
        func answer(_ head: String) async throws -> (Int?, String) {
            let socket = try await LoopbackSocket.open(port: port)
            defer { socket.close() }
            try await socket.send(head + "\r\n")
            _ = await LoopbackSocket.eventually(within: .seconds(10)) { socket.hasResponse }
            return (socket.status, socket.text)
        }
        let garbage = try await answer("POST /segment HTTP/1.1\r\nHost: x\r\nContent-Length: 60000000\r\nLivepeer-Payment: %%%\r\n")
        #expect(garbage.0 == 402, "\(garbage.1)")
        let wrongSecret = try await answer("POST /transcodeResults HTTP/1.1\r\nHost: x\r\nContent-Length: 250000000\r\n"
                                           + "Authorization: \(TranscoderRoutes.authorization)\r\nCredentials: wrong\r\nTaskId: 1\r\n")
        #expect(wrongSecret.0 == 401, "\(wrongSecret.1)")
        let noTask = try await answer("POST /transcodeResults HTTP/1.1\r\nHost: x\r\nContent-Length: 250000000\r\n"
                                      + "Authorization: \(TranscoderRoutes.authorization)\r\nCredentials: right secret\r\nTaskId: 1\r\n")
        #expect(noTask.0 == 404, "\(noTask.1)")
        let oversize = try await answer("POST /segment HTTP/1.1\r\nHost: x\r\nContent-Length: \((64 << 20) + 1)\r\n"
                                        + (try Self.segmentHeaders(seq: 1)))
        #expect(oversize.0 == 413, "\(oversize.1)")
        // Hold 60 of the 100 MB: a second 60 MB body is refused at once with Retry-After.
        let holder = try await LoopbackSocket.open(port: port)
        defer { holder.close() }
        try await holder.send("POST /segment HTTP/1.1\r\nHost: x\r\nContent-Length: \(60 << 20)\r\n" + (try Self.segmentHeaders(seq: 2)) + "\r\n")
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { limits.budget.inFlight == 60 << 20 })
        let full = try await answer("POST /segment HTTP/1.1\r\nHost: x\r\nContent-Length: \(60 << 20)\r\n" + (try Self.segmentHeaders(seq: 3)))
        #expect(full.0 == 503 && full.1.lowercased().contains("retry-after: \(BodyBudget.retryAfterSeconds)"), "\(full.1)")
        holder.close()
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { limits.budget.inFlight == 0 },
                "a client that goes away gives its reservation back")
    }

    @Test("a chunked body with no Content-Length is charged as it arrives and refused (413) once over the request limit")
    func chunkedOverLimit() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let limits = ServerLimits(budget: BodyBudget(limit: 8 << 20, requestLimit: 1 << 20))
        let (edge, port) = try await Self.edge(directory, limits: limits)
        defer { edge.stop() }
        let socket = try await LoopbackSocket.open(port: port)
        defer { socket.close() }
        try await socket.send("POST /segment HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" + (try Self.segmentHeaders(seq: 1)) + "\r\n")
        let chunk = ByteBuffer(repeating: 0x47, count: 256 << 10)
        for _ in 0..<8 where !socket.hasResponse {
            try await socket.send("\(String(chunk.readableBytes, radix: 16))\r\n")
            try await socket.send(chunk)
            try await socket.send("\r\n")
        }
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { socket.hasResponse })
        #expect(socket.status == 413, "\(socket.text.prefix(300))")
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { limits.budget.inFlight == 0 })
    }

    @Test("16 concurrent 60 MB segment bodies with the last byte withheld: resident memory stays under the budget + 100 MB; the rest get 503")
    func withheldBodies() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let budget = 256 << 20
        let limits = ServerLimits(budget: BodyBudget(limit: budget, requestLimit: 64 << 20))
        let (edge, port) = try await Self.edge(directory, limits: limits)
        defer { edge.stop() }
        let before = ResidentMemory.bytes()
        let size = 60 << 20
        let chunk = ByteBuffer(repeating: 0x47, count: 1 << 20)
        let sockets = try await withThrowingTaskGroup(of: LoopbackSocket.self) { group in
            for seq in 0..<16 {
                group.addTask {
                    let socket = try await LoopbackSocket.open(port: port)
                    try await socket.send("POST /segment HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n"
                                          + (try Self.segmentHeaders(seq: Int64(seq))) + "\r\n")
                    // Everything but the last byte, stopping early once refused.
                    for _ in 0..<59 where !socket.hasResponse { try await socket.send(chunk) }
                    if !socket.hasResponse { try await socket.send(chunk.getSlice(at: 0, length: chunk.readableBytes - 1)!) }
                    return socket
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { for socket in sockets { socket.close() } }
        let peak = ResidentMemory.bytes()
        let refused = sockets.filter { $0.status == 503 }.count
        let waiting = sockets.filter { !$0.hasResponse }.count
        #expect(waiting == budget / size && refused == 16 - waiting, "\(waiting) held, \(refused) refused")
        #expect(limits.budget.inFlight <= budget)
        #expect(peak - before < budget + (100 << 20), "RSS grew \((peak - before) >> 20) MB")
        for socket in sockets { socket.close() }
        #expect(await LoopbackSocket.eventually(within: .seconds(10)) { limits.budget.inFlight == 0 })
    }
}
